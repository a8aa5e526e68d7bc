"""The order's rules without Temporal: OrderState with a plain clock."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from domain.alerts.clock import deadline
from domain.channels import Marketplace
from domain.order.commands import AcceptedOrder, ReturnOutcome, ShipmentResult
from domain.order.marketplace import ReturnNotice
from domain.order.messages import CancelRequest, OrderWorkflowInput, PickRequest, ReturnReceivedRequest, ShipRequest
from domain.order.state import OrderState, UnknownLine, unknown_eans_problem
from domain.order.status import OrderStatus, Step
from domain.order.view import LineQuantity, LineView, ShipmentRecord, Transport
from domain.reasons import CancellationReason, ReturnHandling

MUG_EAN = "8710103917885"
LAMP_EAN = "4006381333931"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def line(line_id: str, quantity: int = 1, ean: str = MUG_EAN, **fields: object) -> LineView:
    """A line as accepting returns it: stock reserved unless `reserved=False`."""
    values = {"line_id": line_id, "ean": ean, "sku": f"SKU-{line_id}", "quantity": quantity, "unit_price": "12.95"}
    return LineView.model_validate({"reserved": True} | values | fields)


def new_state(clock: Clock | None = None, cancellation_requested: list[str] | None = None) -> OrderState:
    order = OrderWorkflowInput(
        channel="bol",
        marketplace=Marketplace.BOL,
        marketplace_order_id="1043",
        cancellation_requested_line_ids=cancellation_requested or [],
    )
    return OrderState(order, "order:bol:1043", clock or Clock())


def accepted(*lines: LineView, **fields: object) -> AcceptedOrder:
    values: dict[str, object] = {
        "placed_at": datetime(2026, 3, 1, tzinfo=UTC),
        "destination_country": "NL",
        "lines": list(lines),
    }
    return AcceptedOrder.model_validate(values | fields)


def accepted_state(*lines: LineView, clock: Clock | None = None, **fields: object) -> OrderState:
    state = new_state(clock)
    state.apply_accepted(accepted(*(lines or (line("A", 2, reserved=True),)), **fields))
    state.set_status(OrderStatus.AWAITING_PICK, "")
    return state


def shipped_state(clock: Clock | None = None) -> OrderState:
    """Lines A (mug ×2) and B (lamp) shipped; the return window is open."""
    clock = clock or Clock()
    state = accepted_state(
        line("A", 2, reserved=True, quantity_picked=2, quantity_shipped=2),
        line("B", 1, LAMP_EAN, reserved=True, quantity_picked=1, quantity_shipped=1),
        clock=clock,
    )
    state.set_status(OrderStatus.SHIPPED, "")
    return state


def notes(state: OrderState) -> list[str]:
    return [entry.split(" ", 2)[2] for entry in state.view.history]


# Lines.


def test_find_line_returns_none_and_line_raises_a_readable_unknown_line():
    state = accepted_state(line("A"), line("B"))
    assert state.find_line("B") is state.view.lines[1]
    assert state.find_line("Z") is None
    with pytest.raises(UnknownLine, match=r"^order has no line Z; lines: A, B$") as raised:
        state.line("Z")
    assert isinstance(raised.value, ValueError)  # validators reject with it


def test_open_and_unshipped_picked_quantities():
    partly = line("A", 5, quantity_picked=4, quantity_shipped=1, quantity_cancelled=1)
    assert partly.open_quantity == 3
    assert partly.unshipped_picked == 3
    assert line("B", 2, quantity_shipped=1, quantity_cancelled=1).open_quantity == 0
    state = accepted_state(partly, line("B", 2, quantity_shipped=2))
    assert [open_line.line_id for open_line in state.open_lines()] == ["A"]
    assert state.shipped_anything()
    assert not accepted_state(line("C")).shipped_anything()


# Accepting.


def test_an_accepted_order_takes_the_marketplace_lines_and_ship_by():
    state = new_state()
    state.apply_accepted(accepted(line("A", reserved=True), ship_by=date(2026, 3, 4), pickup_point=True))
    assert state.accepted
    assert state.pickup_point
    assert [accepted_line.line_id for accepted_line in state.view.lines] == ["A"]
    assert state.view.destination_country == "NL"
    assert state.ship_by_deadline() == datetime(2026, 3, 4, 23, 59, 59, tzinfo=UTC)
    assert state.pending_cancellations == {}


def test_no_ship_by_means_no_deadline():
    assert accepted_state(line("A", reserved=True)).ship_by_deadline() is None


def test_accepting_queues_cancellations_for_unstocked_and_requested_lines_and_drops_unknown_ones():
    state = new_state(cancellation_requested=["ghost", "C"])
    state.apply_accepted(
        accepted(
            line("A", reserved=False),
            line("B", reserved=False, cancellation_requested=True),
            line("C", reserved=True),
            line("D", reserved=False, quantity_shipped=1),
        )
    )
    assert state.pending_cancellations == {
        "C": CancellationReason.REQUESTED_BY_CUSTOMER,
        "A": CancellationReason.OUT_OF_STOCK,
        "B": CancellationReason.REQUESTED_BY_CUSTOMER,
    }
    assert notes(state) == [
        "ignored a cancellation request for unknown line ghost",
        "line A: not enough stock, cancelling it",
    ]


def test_an_unstocked_line_the_buyer_already_cancels_keeps_the_buyers_reason():
    state = new_state(cancellation_requested=["A"])
    state.apply_accepted(accepted(line("A", reserved=False)))
    assert state.pending_cancellations == {"A": CancellationReason.REQUESTED_BY_CUSTOMER}


def test_unknown_eans_are_a_problem_with_the_catalog():
    assert unknown_eans_problem(accepted(line("A"))) is None
    assert (
        unknown_eans_problem(accepted(line("A"), unknown_eans=["5012345678900", "123"]))
        == "EAN 5012345678900, 123 is not in the catalog: add the product, then resume"
    )


# Validators.


def test_updates_are_refused_until_accepted_and_after_the_end():
    state = new_state()
    with pytest.raises(ValueError, match=r"^cannot pick yet: the order is still being accepted$"):
        state.validate_pick(PickRequest())
    state = accepted_state()
    state.set_status(OrderStatus.CLOSED, "")
    with pytest.raises(ValueError, match=r"^cannot ship: the order is CLOSED$"):
        state.validate_ship()
    state.set_status(OrderStatus.CANCELLED, "")
    with pytest.raises(ValueError, match=r"^cannot cancel: the order is CANCELLED$"):
        state.validate_cancel(CancelRequest())


def test_pick_validation():
    state = accepted_state(line("A", 3, quantity_picked=1), line("B", 1, quantity_shipped=1))
    state.validate_pick(PickRequest(lines=[LineQuantity(line_id="A", quantity=2)]))
    with pytest.raises(ValueError, match=r"^line A: can pick 1\.\.2, not 3$"):
        state.validate_pick(PickRequest(lines=[LineQuantity(line_id="A", quantity=3)]))
    with pytest.raises(ValueError, match=r"^line A: can pick 1\.\.2, not 0$"):
        state.validate_pick(PickRequest(lines=[LineQuantity(line_id="A", quantity=0)]))
    with pytest.raises(ValueError, match=r"^order has no line nope; lines: A, B$"):
        state.validate_pick(PickRequest(lines=[LineQuantity(line_id="nope", quantity=1)]))
    done = accepted_state(line("A", quantity_shipped=1))
    with pytest.raises(ValueError, match=r"^order is AWAITING_PICK: no open lines left to pick$"):
        done.validate_pick(PickRequest())


def test_ship_validation():
    state = accepted_state(line("A"))
    state.validate_ship()
    state.shipping = {"A"}
    with pytest.raises(ValueError, match=r"^a shipment is being confirmed right now; wait for it$"):
        state.validate_ship()
    with pytest.raises(ValueError, match=r"^order is AWAITING_PICK: nothing left to ship$"):
        accepted_state(line("A", quantity_cancelled=1)).validate_ship()


def test_lines_are_marked_as_shipping_as_soon_as_they_are_taken_to_ship():
    state = accepted_state(line("A"), line("B"))
    state.pick(PickRequest(lines=[LineQuantity(line_id="A", quantity=1)]))
    assert state.start_shipment() == [LineQuantity(line_id="A", quantity=1)]
    with pytest.raises(ValueError, match=r"^line A is being shipped right now$"):
        state.validate_cancel(CancelRequest(line_ids=["A"]))
    state.validate_cancel(CancelRequest(line_ids=["B"]))
    state.finish_shipment()
    state.validate_cancel(CancelRequest(line_ids=["A"]))


def test_cancel_validation():
    state = accepted_state(line("A"), line("B", quantity_shipped=1), line("C"))
    state.validate_cancel(CancelRequest())
    state.validate_cancel(CancelRequest(line_ids=["A"]))
    with pytest.raises(ValueError, match=r"^line B is already shipped or cancelled$"):
        state.validate_cancel(CancelRequest(line_ids=["A", "B"]))
    with pytest.raises(ValueError, match=r"^order has no line Z; lines: A, B, C$"):
        state.validate_cancel(CancelRequest(line_ids=["Z"]))
    state.shipping = {"C"}
    with pytest.raises(ValueError, match=r"^line C is being shipped right now$"):
        state.validate_cancel(CancelRequest())
    with pytest.raises(ValueError, match=r"^order is AWAITING_PICK: nothing left to cancel$"):
        accepted_state(line("A", quantity_shipped=1)).validate_cancel(CancelRequest())


def test_return_received_validation():
    state = accepted_state()
    with pytest.raises(ValueError, match=r"^order is AWAITING_PICK: returns are handled after shipping"):
        state.validate_return_received(ReturnReceivedRequest())
    state = shipped_state()
    with pytest.raises(ValueError, match=r"^no open return matches \(rma None, line None\); open returns: none$"):
        state.validate_return_received(ReturnReceivedRequest())
    state.announce_return(ReturnNotice(marketplace_order_id="1043", rma_id="R1", ean=MUG_EAN, quantity=2))
    state.validate_return_received(ReturnReceivedRequest(quantity=2))
    state.set_status(OrderStatus.RETURN_OPEN, "")
    state.validate_return_received(ReturnReceivedRequest())
    with pytest.raises(ValueError, match=r"^return R1: quantity must be 1\.\.2$"):
        state.validate_return_received(ReturnReceivedRequest(quantity=3))
    with pytest.raises(ValueError, match=r"^return R1: quantity must be 1\.\.2$"):
        state.validate_return_received(ReturnReceivedRequest(quantity=-1))
    with pytest.raises(ValueError, match=r"^no open return matches \(rma R9, line None\); open returns: R1$"):
        state.validate_return_received(ReturnReceivedRequest(rma_id="R9"))
    state.set_status(OrderStatus.CLOSED, "")
    with pytest.raises(ValueError, match=r"^order is CLOSED: returns are handled after shipping"):
        state.validate_return_received(ReturnReceivedRequest())


def test_resume_validation():
    state = accepted_state()
    with pytest.raises(ValueError, match=r"^order is AWAITING_PICK and does not need attention$"):
        state.validate_resume()
    state.flag(Step.SHIP, "no")
    state.validate_resume()


# Picking.


def test_picking_is_clamped_to_what_was_ordered_and_not_cancelled():
    state = accepted_state(line("A", 5, quantity_picked=2, quantity_cancelled=1))
    state.pick(PickRequest(lines=[LineQuantity(line_id="A", quantity=9)]))
    assert state.line("A").quantity_picked == 4
    state = accepted_state(line("A", 5, quantity_picked=1))
    state.pick(PickRequest(lines=[LineQuantity(line_id="A", quantity=2)]))
    assert state.line("A").quantity_picked == 3


def test_picking_without_lines_picks_every_open_line_and_keeps_the_parcel():
    state = accepted_state(line("A", 2), line("B", 1, quantity_shipped=1, quantity_picked=1), line("C", 3))
    parcel = PickRequest(track_and_trace="3S1", weight_grams=900)
    state.pick(parcel)
    assert [picked.quantity_picked for picked in state.view.lines] == [2, 1, 3]
    assert state.parcel is parcel
    assert state.tracking() == "3S1"
    assert state.transporter_query().weight_grams == 900


def test_awaiting_pick_text():
    state = accepted_state(line("A"), line("B"), ship_by=date(2026, 3, 4))
    assert state.awaiting_pick_text() == "The warehouse to pick 2 line(s) (ship by 2026-03-04)"
    assert accepted_state(line("A")).awaiting_pick_text() == "The warehouse to pick 1 line(s)"


# Shipping.


def test_shipment_readiness_needs_picked_lines_not_waiting_to_be_cancelled_and_no_ship_flag():
    state = accepted_state(line("A"), line("B"))
    assert not state.shipment_ready()
    state.pick(PickRequest())
    state.pending_cancellations["A"] = CancellationReason.OTHER
    assert state.lines_to_ship() == [LineQuantity(line_id="B", quantity=1)]
    assert state.shipment_ready()
    state.flag(Step.SHIP, "no")
    assert not state.shipment_ready()


def test_ship_now_picks_everything_and_clears_a_failed_shipment():
    state = accepted_state(line("A", 3, quantity_cancelled=1), line("B"))
    state.flag(Step.SHIP, "Transporter code is not valid")
    state.parcel = PickRequest(track_and_trace="FROM-PICK")
    state.ship_now(ShipRequest(transporter_code="DHL_DE"))
    assert [shipping.quantity_picked for shipping in state.view.lines] == [2, 1]
    assert not state.flagged(Step.SHIP)
    assert state.chosen_transporter() == "DHL_DE"
    assert state.tracking() == "FROM-PICK"
    state.ship_now(ShipRequest(track_and_trace="JJD1"))
    assert state.chosen_transporter() is None
    assert state.tracking() == "JJD1"


def test_ship_input_records_what_was_shipped_before():
    state = accepted_state(line("A", 3, quantity_shipped=1), line("B"))
    lines = [LineQuantity(line_id="A", quantity=2)]
    command = state.ship_input(lines, Transport(transporter_code="TNT"))
    assert command.shipped_before == {"A": 1, "B": 0}
    assert command.reference == "1043"
    assert command.lines == lines


def test_a_shipment_counts_what_shipped_and_queues_last_minute_cancellations():
    clock = Clock()
    state = accepted_state(line("A", 2, quantity_picked=2), line("B", quantity_picked=1), clock=clock)
    state.transport_override = ShipRequest(transporter_code="DHL_DE")
    transport = Transport(transporter_code="TNT", track_and_trace="3S1")
    state.apply_shipment(
        ShipmentResult(
            shipped=[LineQuantity(line_id="A", quantity=2)], cancellation_requested_line_ids=["B"], process_id="p1"
        ),
        transport,
    )
    assert state.line("A").quantity_shipped == 2
    assert state.line("B").cancellation_requested
    assert state.pending_cancellations == {"B": CancellationReason.REQUESTED_BY_CUSTOMER}
    [shipment] = state.view.shipments
    assert (shipment.process_id, shipment.confirmed_at, shipment.transport) == ("p1", clock.now, transport)
    assert state.transport_override is None
    assert notes(state) == [
        "line B: the buyer asked to cancel just before shipping; not shipped",
        "shipped A×2 with TNT, tracking 3S1",
    ]


def test_a_shipment_of_nothing_records_no_shipment():
    state = accepted_state(line("A", quantity_picked=1))
    state.apply_shipment(ShipmentResult(cancellation_requested_line_ids=["A"]), Transport(transporter_code="TNT"))
    assert state.view.shipments == []
    assert not state.shipped_anything()


# Cancelling.


def test_ops_cancel_every_open_line_by_default():
    state = accepted_state(line("A"), line("B", quantity_shipped=1), line("C"))
    assert state.request_cancel(CancelRequest(reason=CancellationReason.BAD_CONDITION)) == ["A", "C"]
    assert state.pending_cancellations == {"A": "BAD_CONDITION", "C": "BAD_CONDITION"}


def test_a_buyer_cancellation_before_acceptance_waits_for_the_lines():
    state = new_state()
    state.buyer_cancellation(["X"])
    assert state.pending_cancellations == {"X": CancellationReason.REQUESTED_BY_CUSTOMER}
    assert notes(state) == []


def test_a_buyer_cancellation_after_acceptance_marks_open_lines_and_ignores_unknown_ones():
    state = accepted_state(line("A"), line("B", quantity_shipped=1))
    state.buyer_cancellation(["A", "B", "ghost"])
    assert state.pending_cancellations == {"A": CancellationReason.REQUESTED_BY_CUSTOMER}
    assert state.line("A").cancellation_requested
    assert state.line("B").cancellation_requested
    assert notes(state) == ["ignored a cancellation request for unknown line ghost"]


def test_cancellation_readiness():
    state = accepted_state(line("A"), line("B", quantity_shipped=1))
    assert not state.cancellation_ready()
    state.pending_cancellations["B"] = CancellationReason.OTHER
    assert not state.cancellation_ready()  # nothing open on B
    state.pending_cancellations["A"] = CancellationReason.OTHER
    assert state.cancellation_ready()
    state.flag(Step.CANCEL, "no")
    assert not state.cancellation_ready()


def test_cancellations_are_for_the_open_quantity_and_done_lines_leave_the_queue():
    state = accepted_state(line("A", 3, quantity_shipped=1), line("B", quantity_shipped=1), line("C"))
    state.pending_cancellations = {"A": CancellationReason.OUT_OF_STOCK, "B": CancellationReason.OTHER}
    [command] = state.cancellations()
    assert (command.line_id, command.reason, command.quantity) == ("A", "OUT_OF_STOCK", 2)
    assert list(state.pending_cancellations) == ["A"]


def test_a_confirmed_cancellation_cancels_the_open_quantity_and_releases_stock():
    state = accepted_state(line("A", 3, quantity_shipped=1, reserved=True))
    state.pending_cancellations["A"] = CancellationReason.OUT_OF_STOCK
    state.cancelled("A", CancellationReason.OUT_OF_STOCK)
    cancelled = state.line("A")
    assert (cancelled.quantity_cancelled, cancelled.open_quantity, cancelled.reserved) == (2, 0, False)
    assert state.pending_cancellations == {}
    assert notes(state) == ["line A: 2 cancelled (OUT_OF_STOCK)"]


# Returns.


def announce(state: OrderState, rma_id: str, ean: str = MUG_EAN, quantity: int = 1, line_id: str | None = None) -> None:
    state.announce_return(
        ReturnNotice(
            marketplace_order_id="1043", rma_id=rma_id, ean=ean, quantity=quantity, line_id=line_id, reason="Kapot"
        )
    )


def test_an_announced_return_is_matched_to_its_line_by_ean_once():
    clock = Clock()
    state = shipped_state(clock)
    announce(state, "R1", LAMP_EAN)
    announce(state, "R1", LAMP_EAN)
    announce(state, "R2", MUG_EAN, line_id="given")
    announce(state, "R3", "0000000000000")
    assert [(record.rma_id, record.line_id) for record in state.view.returns] == [
        ("R1", "B"),
        ("R2", "given"),
        ("R3", None),
    ]
    assert state.view.returns[0].announced_at == clock.now
    assert notes(state)[0] == f"the buyer announced return R1 (1× {LAMP_EAN}): Kapot"


def test_a_received_return_matches_by_rma_else_by_line_else_the_first_open_one():
    state = shipped_state()
    announce(state, "R1", MUG_EAN)
    announce(state, "R2", LAMP_EAN)
    assert state.return_for(ReturnReceivedRequest(rma_id="R2")).rma_id == "R2"
    assert state.return_for(ReturnReceivedRequest(line_id="B")).rma_id == "R2"
    assert state.return_for(ReturnReceivedRequest()).rma_id == "R1"
    state.view.returns[0].handled_at = datetime(2026, 3, 3, tzinfo=UTC)
    assert state.return_for(ReturnReceivedRequest()).rma_id == "R2"
    with pytest.raises(ValueError, match=r"open returns: R2$"):
        state.return_for(ReturnReceivedRequest(rma_id="R1"))


def test_a_return_named_by_another_received_parcel_is_taken():
    state = shipped_state()
    announce(state, "R1", MUG_EAN)
    announce(state, "R2", MUG_EAN)
    assert state.receive_return(ReturnReceivedRequest(rma_id="R1")) == "handling return R1"
    assert state.receive_return(ReturnReceivedRequest(line_id="A")) == "handling return R2"
    assert state.return_ready()


def test_a_received_parcel_is_bound_to_its_return_on_receipt():
    """One named by nothing takes the first open return; a second for it
    finds it taken, by RMA or not, and would be ignored with a note."""
    state = shipped_state()
    announce(state, "R1", MUG_EAN)
    assert state.receive_return(ReturnReceivedRequest()) == "handling return R1"
    for again in (ReturnReceivedRequest(), ReturnReceivedRequest(rma_id="R1")):
        with pytest.raises(ValueError, match=r"open returns: R1; already received, waiting to be handled: R1$"):
            state.validate_return_received(again)
    assert state.receive_return(ReturnReceivedRequest()).startswith("ignored: no open return matches")
    assert notes(state)[-1].startswith("ignored a received return: no open return matches (rma None, line None)")
    assert len(state.received_returns) == 1


def test_before_binding_on_receipt_a_parcel_matching_nothing_is_flagged_not_raised():
    """Orders from before `bind-returns-on-receipt` match when handling; a
    second parcel for a return already handled used to fail every workflow
    task there."""
    state = shipped_state()
    state.bind_returns_on_receipt = False
    announce(state, "R1", MUG_EAN)
    state.receive_return(ReturnReceivedRequest())
    state.receive_return(ReturnReceivedRequest())
    first = state.next_return()
    assert first is not None and first.rma_id == "R1"
    state.return_handled(first, ReturnOutcome())
    assert state.next_return() is None
    assert state.received_returns == []
    assert state.view.attention == {
        Step.RETURN: "a received return (rma None, line None) matches no open return (open: none); "
        "was the parcel received twice?"
    }


def test_handling_the_oldest_received_return():
    state = shipped_state()
    announce(state, "R1", MUG_EAN, quantity=2)
    state.receive_return(ReturnReceivedRequest(quantity=1, meets_conditions=False, resellable=False))
    command = state.next_return()
    assert command is not None
    assert (command.rma_id, command.line_id, command.sku, command.quantity) == ("R1", "A", "SKU-A", 1)
    assert (command.handling, command.resellable, command.unit_price) == (
        ReturnHandling.RETURN_DOES_NOT_MEET_CONDITIONS,
        False,
        Decimal("12.95"),
    )
    assert state.next_return() == command  # the oldest until handled


def test_a_handled_return_is_recorded_and_counted_on_its_line():
    clock = Clock()
    state = shipped_state(clock)
    announce(state, "R1", MUG_EAN, quantity=2)
    state.receive_return(ReturnReceivedRequest())
    command = state.next_return()
    assert command is not None
    assert command.handling == ReturnHandling.RETURN_RECEIVED
    state.return_handled(command, ReturnOutcome(refund=Decimal("25.90"), restocked=True))
    [record] = state.view.returns
    assert (record.handling, record.resellable, record.refund, record.handled_at) == (
        ReturnHandling.RETURN_RECEIVED,
        True,
        Decimal("25.90"),
        clock.now,
    )
    assert state.line("A").quantity_returned == 2
    assert state.received_returns == []
    assert not state.return_ready()
    assert notes(state)[-1] == "return R1: RETURN_RECEIVED, refund 25.90, back in stock"


def test_a_received_return_matching_no_line_is_dropped_and_flagged():
    state = shipped_state()
    announce(state, "R9", "0000000000000")
    state.receive_return(ReturnReceivedRequest())
    assert state.next_return() is None
    assert state.received_returns == []
    assert state.view.attention == {Step.RETURN: "return R9 (0000000000000) matches no line of this order"}
    assert not state.return_ready()


def test_return_readiness_waits_while_a_return_step_is_flagged():
    state = shipped_state()
    announce(state, "R1")
    state.receive_return(ReturnReceivedRequest())
    state.flag(Step.RETURN, "no")
    assert not state.return_ready()
    state.resume(None)
    assert state.return_ready()


def test_news_is_a_received_return_or_a_newly_announced_one():
    state = shipped_state()
    assert not state.news(0)
    announce(state, "R1")
    assert state.news(0)
    assert not state.news(1)
    state.receive_return(ReturnReceivedRequest())
    assert state.news(1)


def test_the_return_window_runs_from_the_last_shipment():
    clock = Clock()
    state = shipped_state(clock)
    for _ in range(2):
        state.apply_shipment(
            ShipmentResult(shipped=[LineQuantity(line_id="A", quantity=0)]), Transport(transporter_code="TNT")
        )
        clock.now += timedelta(days=1)
    last = clock.now - timedelta(days=1)
    assert state.open_return_window() == last + timedelta(days=30)
    assert state.view.return_window_ends == last + timedelta(days=30)


def test_a_shorter_return_window_from_the_input_wins():
    order = OrderWorkflowInput(
        channel="bol", marketplace=Marketplace.BOL, marketplace_order_id="1", return_window=timedelta(minutes=5)
    )
    clock = Clock()
    state = OrderState(order, "w", clock)
    state.view.shipments.append(
        ShipmentRecord(lines=[], transport=Transport(transporter_code="TNT"), confirmed_at=clock.now)
    )
    assert state.open_return_window() == clock.now + timedelta(minutes=5)


def test_after_shipping_status_and_deadlines():
    clock = Clock()
    state = shipped_state(clock)
    ends = clock.now + timedelta(days=30)
    assert state.after_shipping_status(ends) == (
        OrderStatus.SHIPPED,
        "The return window to close on 2026-04-01 10:00 UTC",
    )
    assert state.next_deadline(clock.now, ends) == ends
    assert state.next_deadline(ends, ends) is None
    announce(state, "R1")
    announce(state, "R2")
    assert state.after_shipping_status(ends) == (OrderStatus.RETURN_OPEN, "The warehouse to receive return(s) R1, R2")
    sla = clock.now + timedelta(hours=48)  # bol: returns handled within 48 hours
    assert state.next_deadline(clock.now, ends) == sla
    assert state.next_deadline(ends, ends) == sla
    state.flagged_returns = {"R1", "R2"}
    assert state.next_deadline(ends, ends) is None


def test_late_returns_are_flagged_once_and_cleared_when_none_is_left():
    clock = Clock()
    state = shipped_state(clock)
    announce(state, "R1")
    announce(state, "R2", LAMP_EAN)
    clock.now += timedelta(hours=47)
    state.flag_late_returns()
    assert state.view.attention == {}
    clock.now += timedelta(hours=1)
    state.flag_late_returns()
    assert state.flagged_returns == {"R1", "R2"}
    assert state.view.attention[Step.LATE_RETURN] == (
        "return R2 was announced 2026-03-02 10:00 UTC and is not handled within the marketplace's 2 days, 0:00:00 SLA"
    )
    state.resume(None)
    state.flag_late_returns()
    assert not state.flagged(Step.LATE_RETURN)  # acknowledged: not flagged again
    assert len([note for note in notes(state) if note.startswith("needs attention (late return)")]) == 2
    state.flag(Step.LATE_RETURN, "again")
    for rma_id in ("R1", "R2"):
        state.receive_return(ReturnReceivedRequest(rma_id=rma_id))
        command = state.next_return()
        assert command is not None
        state.return_handled(command, ReturnOutcome())
        assert state.flagged(Step.LATE_RETURN) == (rma_id == "R1")


# Attention, status and history.


def test_flagging_notes_and_needs_attention_flips_once():
    clock = Clock()
    state = accepted_state(clock=clock)
    assert not state.sync_needs_attention()
    state.flag(Step.SHIP, "Transporter code is not valid")
    state.flag(Step.CANCEL, "no")
    assert state.sync_needs_attention()
    assert not state.sync_needs_attention()
    assert state.view.needs_attention
    assert state.view.history[-2] == "2026-03-02 10:00:00 needs attention (ship): Transporter code is not valid"
    state.unflag(Step.SHIP)
    state.unflag(Step.SHIP)
    assert not state.sync_needs_attention()
    state.unflag(Step.CANCEL)
    assert state.sync_needs_attention()
    assert not state.view.needs_attention


def test_resume_clears_every_flag_and_notes_it():
    state = accepted_state()
    state.flag(Step.SHIP, "no")
    state.flag(Step.CANCEL, "no")
    assert state.resume("checked with bol") == "ship, cancel"
    assert state.view.attention == {}
    assert notes(state)[-1] == "resumed by ops (ship, cancel): checked with bol"
    state.flag(Step.ACCEPT, "no")
    state.resume(None)
    assert notes(state)[-1] == "resumed by ops (accept)"


def test_status_changes_are_reported_and_details_show_status_and_flags():
    state = new_state()
    assert not state.set_status(OrderStatus.RECEIVED, "Accepting")
    assert state.set_status(OrderStatus.AWAITING_PICK, "The warehouse")
    assert state.details() == "**AWAITING_PICK** — waiting for: The warehouse"
    state.flag(Step.SHIP, "no")
    assert state.details() == (
        "**AWAITING_PICK** — waiting for: The warehouse\n\n⚠ needs attention (ship): no — fix, then `resume`"
    )


def test_the_view_keeps_its_json_shape():
    state = shipped_state()
    assert list(state.view.model_dump(mode="json")) == [
        "workflow_id",
        "channel",
        "marketplace",
        "marketplace_order_id",
        "status",
        "needs_attention",
        "attention",
        "waiting_for",
        "placed_at",
        "ship_by",
        "destination_country",
        "lines",
        "shipments",
        "returns",
        "return_window_ends",
        "history",
        "alerts",
    ]


# What ops filter on (issue 12: published once per rest point, from here).


def test_search_attributes_follow_the_order_and_leave_ship_by_to_the_start_until_accepted():
    state = new_state()
    assert state.search_attributes() == {"OrderStatus": "RECEIVED", "NeedsAttention": False}
    state = accepted_state(line("A", 2, reserved=True), ship_by=date(2026, 3, 4))
    deadline = datetime(2026, 3, 4, 23, 59, 59, tzinfo=UTC)
    assert state.search_attributes() == {"OrderStatus": "AWAITING_PICK", "NeedsAttention": False, "ShipBy": deadline}
    state.flag(Step.SHIP, "no rule")
    state.sync_needs_attention()
    assert state.search_attributes()["NeedsAttention"] is True
    shipped = shipped_state()
    assert shipped.search_attributes()["ShipBy"] is None  # shipped: no longer late


def test_the_return_sla_deadline_is_the_earliest_open_return_not_yet_flagged():
    clock = Clock()
    state = shipped_state(clock)
    assert state.return_sla_deadline() is None
    state.announce_return(ReturnNotice(marketplace_order_id="1043", rma_id="R1", ean=MUG_EAN, quantity=1))
    clock.now += timedelta(hours=1)
    state.announce_return(ReturnNotice(marketplace_order_id="1043", rma_id="R2", ean=LAMP_EAN, quantity=1))
    first = datetime(2026, 3, 2, 10, 0, tzinfo=UTC) + state.sla.return_handling
    assert state.return_sla_deadline() == first
    clock.now = first
    state.flag_late_returns()
    assert state.return_sla_deadline() == first + timedelta(hours=1)


def test_picking_everything_again_while_it_ships_is_refused():
    """A warehouse that polls by status sees the order AWAITING_PICK until
    its shipment is confirmed; a repeated pick would change nothing."""
    state = accepted_state(line("A", 2, reserved=True))
    state.validate_pick(PickRequest())
    state.pick(PickRequest())
    with pytest.raises(ValueError, match=r"^every open line is picked already: shipping follows$"):
        state.validate_pick(PickRequest())


def test_the_return_sla_runs_from_registration_only_with_the_marketplaces_clocks():
    clock = Clock()
    registered = clock.now - timedelta(hours=40)
    notice = ReturnNotice(marketplace_order_id="1043", rma_id="R1", ean=MUG_EAN, quantity=1, registered_at=registered)
    before = shipped_state(clock)  # orders from before `marketplace-clocks`: from intake
    before.announce_return(notice)
    assert before.return_sla_deadline() == clock.now + timedelta(hours=48)
    state = shipped_state(clock)
    state.marketplace_clocks = True
    state.announce_return(notice)
    assert state.return_sla_deadline() == clock.now + timedelta(hours=8)
    future = notice.model_copy(update={"rma_id": "R2", "registered_at": clock.now + timedelta(hours=3)})
    state.announce_return(future)  # a marketplace clock ahead of ours: never later than we saw it
    assert state.return_sla_due(state.view.returns[1]) == clock.now + timedelta(hours=48)


def test_the_return_window_runs_from_the_expected_delivery_with_the_marketplaces_clocks():
    state = accepted_state(line("A", 1, reserved=True, quantity_picked=1), destination_country="BE")
    result = ShipmentResult(shipped=[LineQuantity(line_id="A", quantity=1)])
    state.apply_shipment(result, Transport(transporter_code="DHL"))
    shipped = state.view.shipments[-1].confirmed_at
    assert state.open_return_window() == shipped + timedelta(days=30)  # orders from before: from shipment
    state.marketplace_clocks = True
    # DHL takes two days to Belgium, bol one to register the delivery.
    assert state.open_return_window() == shipped + timedelta(days=2 + 1 + 30)


def test_a_return_sla_in_business_days_skips_the_weekend_like_the_alert_does():
    """A marketplace that counts its return SLA in business days: the order
    flags the return late when the alert says it breached, not earlier."""
    clock = Clock()
    clock.now = datetime(2026, 3, 6, 10, 0, tzinfo=UTC)  # a Friday morning
    state = shipped_state(clock)
    state.sla = state.sla.model_copy(update={"return_handling_business_days": True})
    state.announce_return(ReturnNotice(marketplace_order_id="1043", rma_id="R1", ean=MUG_EAN, quantity=1))
    assert state.return_sla_deadline() == clock.now + timedelta(days=2)  # orders from before: calendar time
    state.marketplace_clocks = True
    due = state.return_sla_deadline()
    assert due == datetime(2026, 3, 10, 10, 0, tzinfo=UTC)  # 48 business hours: Tuesday morning
    assert due == deadline(clock.now, state.sla.return_handling, business_days=True)
