"""Cancellation branches on doubles: out of stock, the buyer (before
acceptance, before pick, between pick and ship, reported by the ship
activity), ops (all lines, one line), and a cancel the marketplace refuses."""

from domain.order.commands import CancelLineInput, ShipmentResult
from domain.order.messages import BuyerCancellationRequested, CancelRequest, PickRequest, ResumeRequest
from domain.order.status import OrderStatus, Step
from domain.order.view import LineQuantity
from domain.reasons import CancellationReason
from tests.workflows.fast.doubles import MUG_EAN, FakeOrderActivities, accepted, business_error, lamp, mug
from tests.workflows.fast.support import current_details, finished, needs_attention, reaches, search_attributes, until
from tests.workflows.helpers import keep_history
from workflows.order import OrderWorkflow

BUYER = CancellationReason.REQUESTED_BY_CUSTOMER


def cancelled(fake: FakeOrderActivities) -> list[tuple[str, CancellationReason, int]]:
    return [(c.line_id, c.reason, c.quantity) for c in fake.called("cancel_line")]


async def test_a_line_without_stock_is_cancelled_out_of_stock_and_the_rest_ships(orders):
    fake = FakeOrderActivities(accepted(mug(1), lamp(1, reserved=False)))
    handle = await orders.start(fake)

    current = await until(handle, lambda v: v.lines and v.lines[1].quantity_cancelled == 1)
    [cancel] = fake.called("cancel_line")
    assert cancel == CancelLineInput(
        order=fake.called("accept_order")[0], line_id="L-LAMP", reason=CancellationReason.OUT_OF_STOCK, quantity=1
    )
    assert any("line L-LAMP: not enough stock, cancelling it" in note for note in current.history)
    assert any("line L-LAMP: 1 cancelled (OUT_OF_STOCK)" in note for note in current.history)
    waiting = await reaches(handle, OrderStatus.AWAITING_PICK)
    assert waiting.waiting_for == "The warehouse to pick 1 line(s) (ship by 2026-03-03)"

    await handle.execute_update(OrderWorkflow.pick, PickRequest())
    shipped = await reaches(handle, OrderStatus.SHIPPED)
    assert fake.called("ship_lines")[0].lines == [LineQuantity(line_id="L-MUG", quantity=1)]
    assert [(line.quantity_shipped, line.quantity_cancelled) for line in shipped.lines] == [(1, 0), (0, 1)]


async def test_nothing_in_stock_cancels_the_whole_order(orders):
    fake = FakeOrderActivities(accepted(mug(2, reserved=False), lamp(1, reserved=False)))
    handle = await orders.start(fake)
    result = await finished(handle)
    assert result.status == OrderStatus.CANCELLED
    assert result.waiting_for == "Nothing: every line was cancelled"
    assert cancelled(fake) == [
        ("L-MUG", CancellationReason.OUT_OF_STOCK, 2),
        ("L-LAMP", CancellationReason.OUT_OF_STOCK, 1),
    ]
    assert fake.called("ship_lines") == [] and fake.called("choose_transporter") == []
    assert (await search_attributes(handle))["OrderStatus"] == "CANCELLED"
    assert await current_details(handle) == "**CANCELLED** — waiting for: Nothing: every line was cancelled"


async def test_a_cancellation_requested_before_the_workflow_started_is_confirmed(orders):
    """Intake saw the buyer's request first: it comes in the input; an id
    the accepted order does not have is ignored with a note."""
    fake = FakeOrderActivities(accepted(mug(1), lamp(1)))
    handle = await orders.start(fake, cancellation_requested_line_ids=["L-MUG", "L-GONE"])
    current = await until(handle, lambda v: v.lines and v.lines[0].quantity_cancelled)
    assert cancelled(fake) == [("L-MUG", BUYER, 1)]
    assert any("ignored a cancellation request for unknown line L-GONE" in note for note in current.history)
    await handle.execute_update(OrderWorkflow.pick, PickRequest())
    await reaches(handle, OrderStatus.SHIPPED)
    assert fake.called("ship_lines")[0].lines == [LineQuantity(line_id="L-LAMP", quantity=1)]


async def test_a_line_the_marketplace_marks_as_cancellation_requested_is_cancelled_on_acceptance(orders):
    fake = FakeOrderActivities(accepted(mug(2, reserved=False, cancellation_requested=True)))
    handle = await orders.start(fake)
    result = await finished(handle)
    assert result.status == OrderStatus.CANCELLED
    assert cancelled(fake) == [("L-MUG", BUYER, 2)]


async def test_a_buyer_cancellation_signalled_while_accepting_waits_for_the_lines(orders):
    unknown = accepted(mug(1, sku=None, reserved=False), unknown_eans=[MUG_EAN])
    fake = FakeOrderActivities(unknown, accepted(mug(1)))
    handle = await orders.start(fake)
    await needs_attention(handle)
    await handle.signal(OrderWorkflow.buyer_cancellation_requested, BuyerCancellationRequested(line_ids=["L-MUG"]))
    await handle.execute_update(OrderWorkflow.resume, ResumeRequest())
    result = await finished(handle)
    assert result.status == OrderStatus.CANCELLED
    assert cancelled(fake) == [("L-MUG", BUYER, 1)]


async def test_a_buyer_cancellation_before_pick_is_confirmed(orders):
    fake = FakeOrderActivities(accepted(mug(3)))
    handle = await orders.start(fake)
    await reaches(handle, OrderStatus.AWAITING_PICK)
    await handle.signal(OrderWorkflow.buyer_cancellation_requested, BuyerCancellationRequested(line_ids=["L-MUG"]))
    result = await finished(handle)
    assert result.status == OrderStatus.CANCELLED
    assert result.lines[0].cancellation_requested and not result.lines[0].reserved
    assert cancelled(fake) == [("L-MUG", BUYER, 3)]
    assert fake.called("ship_lines") == []


async def test_a_buyer_cancellation_of_one_line_of_two_still_ships_the_other(orders):
    fake = FakeOrderActivities(accepted(mug(1), lamp(1)))
    handle = await orders.start(fake)
    await reaches(handle, OrderStatus.AWAITING_PICK)
    await handle.signal(
        OrderWorkflow.buyer_cancellation_requested, BuyerCancellationRequested(line_ids=["L-MUG", "L-NOPE"])
    )
    current = await until(handle, lambda v: v.lines[0].quantity_cancelled)
    assert any("ignored a cancellation request for unknown line L-NOPE" in note for note in current.history)
    await handle.execute_update(OrderWorkflow.pick, PickRequest(track_and_trace="3SBOL0000003"))
    shipped = await reaches(handle, OrderStatus.SHIPPED)
    assert [(line.line_id, line.quantity_shipped, line.quantity_cancelled) for line in shipped.lines] == [
        ("L-MUG", 0, 1),
        ("L-LAMP", 1, 0),
    ]
    assert fake.called("ship_lines")[0].lines == [LineQuantity(line_id="L-LAMP", quantity=1)]
    assert cancelled(fake) == [("L-MUG", BUYER, 1)]


async def test_a_buyer_cancellation_between_pick_and_ship_wins_over_the_picked_line(orders):
    """Picked, but not shipped yet (the shipment waits for ops): the buyer's
    request cancels the line instead of shipping it."""
    fake = FakeOrderActivities(accepted(mug(1)))
    fake.ship_replies.append(business_error("Transporter code is not valid for this order"))
    handle = await orders.start(fake)
    await reaches(handle, OrderStatus.AWAITING_PICK)
    await handle.execute_update(OrderWorkflow.pick, PickRequest())
    await needs_attention(handle)
    await handle.signal(OrderWorkflow.buyer_cancellation_requested, BuyerCancellationRequested(line_ids=["L-MUG"]))
    result = await finished(handle)
    assert result.status == OrderStatus.CANCELLED
    assert cancelled(fake) == [("L-MUG", BUYER, 1)]
    assert len(fake.called("ship_lines")) == 1  # the failed attempt only
    # Nothing is left to ship: the failed shipment no longer asks ops for a fix.
    assert not result.needs_attention and result.attention == {}
    assert (await search_attributes(handle))["NeedsAttention"] is False
    assert "needs attention" not in await current_details(handle)
    await keep_history(handle, "order-shipment-failed-then-buyer-cancelled")


async def test_a_cancellation_reported_by_the_ship_activity_is_never_shipped_and_gets_confirmed(orders):
    """The buyer cancelled on the marketplace; intake has not told the
    workflow yet, but the ship activity re-checks and leaves the line out."""
    fake = FakeOrderActivities(accepted(mug(1)))
    fake.ship_replies.append(ShipmentResult(shipped=[], cancellation_requested_line_ids=["L-MUG"]))
    handle = await orders.start(fake)
    await reaches(handle, OrderStatus.AWAITING_PICK)
    await handle.execute_update(OrderWorkflow.pick, PickRequest(track_and_trace="3SBOL0000002"))
    result = await finished(handle)
    assert result.status == OrderStatus.CANCELLED
    assert result.shipments == []
    assert result.lines[0].cancellation_requested
    assert any("the buyer asked to cancel just before shipping; not shipped" in note for note in result.history)
    assert fake.names == ["accept_order", "choose_transporter", "ship_lines", "cancel_line"]
    assert cancelled(fake) == [("L-MUG", BUYER, 1)]


async def test_the_ship_activity_may_ship_one_line_and_report_the_other_cancelled(orders):
    fake = FakeOrderActivities(accepted(mug(1), lamp(1)))
    fake.ship_replies.append(
        lambda step: ShipmentResult(
            shipped=[LineQuantity(line_id="L-LAMP", quantity=1)],
            cancellation_requested_line_ids=["L-MUG"],
            process_id="p-9",
        )
    )
    handle = await orders.start(fake)
    await reaches(handle, OrderStatus.AWAITING_PICK)
    await handle.execute_update(OrderWorkflow.pick, PickRequest())
    shipped = await reaches(handle, OrderStatus.SHIPPED)
    assert [(line.quantity_shipped, line.quantity_cancelled) for line in shipped.lines] == [(0, 1), (1, 0)]
    assert [(s.lines, s.process_id) for s in shipped.shipments] == [
        ([LineQuantity(line_id="L-LAMP", quantity=1)], "p-9")
    ]
    assert cancelled(fake) == [("L-MUG", BUYER, 1)]
    assert len(fake.called("ship_lines")) == 1


async def test_ops_cancel_every_line_with_their_reason(orders):
    fake = FakeOrderActivities(accepted(mug(2), lamp(1)))
    handle = await orders.start(fake)
    await reaches(handle, OrderStatus.AWAITING_PICK)
    reply = await handle.execute_update(OrderWorkflow.cancel, CancelRequest(reason=CancellationReason.BAD_CONDITION))
    assert reply == "cancelling L-MUG, L-LAMP"
    result = await finished(handle)
    assert result.status == OrderStatus.CANCELLED
    assert cancelled(fake) == [
        ("L-MUG", CancellationReason.BAD_CONDITION, 2),
        ("L-LAMP", CancellationReason.BAD_CONDITION, 1),
    ]
    assert [line.reserved for line in result.lines] == [False, False]


async def test_ops_cancel_one_line_and_the_other_ships(orders):
    fake = FakeOrderActivities(accepted(mug(1), lamp(1)))
    handle = await orders.start(fake)
    await reaches(handle, OrderStatus.AWAITING_PICK)
    assert await handle.execute_update(OrderWorkflow.cancel, CancelRequest(line_ids=["L-LAMP"])) == "cancelling L-LAMP"
    await until(handle, lambda v: v.lines[1].quantity_cancelled)
    await handle.execute_update(OrderWorkflow.pick, PickRequest())
    shipped = await reaches(handle, OrderStatus.SHIPPED)
    assert cancelled(fake) == [("L-LAMP", CancellationReason.OTHER, 1)]
    assert fake.called("ship_lines")[0].lines == [LineQuantity(line_id="L-MUG", quantity=1)]
    assert [(line.quantity_shipped, line.quantity_cancelled) for line in shipped.lines] == [(1, 0), (0, 1)]


async def test_ops_cancel_the_rest_of_a_partly_shipped_line(orders):
    fake = FakeOrderActivities(accepted(mug(3)))
    handle = await orders.start(fake)
    await reaches(handle, OrderStatus.AWAITING_PICK)
    await handle.execute_update(OrderWorkflow.pick, PickRequest(lines=[LineQuantity(line_id="L-MUG", quantity=2)]))
    await until(handle, lambda v: v.shipments and v.status == OrderStatus.AWAITING_PICK)
    await handle.execute_update(OrderWorkflow.cancel, CancelRequest(reason=CancellationReason.NOT_AVAIL_IN_TIME))
    shipped = await reaches(handle, OrderStatus.SHIPPED)
    assert cancelled(fake) == [("L-MUG", CancellationReason.NOT_AVAIL_IN_TIME, 1)]
    assert (shipped.lines[0].quantity_shipped, shipped.lines[0].quantity_cancelled) == (2, 1)


async def test_a_refused_cancel_needs_attention_then_resume_cancels_again(orders):
    fake = FakeOrderActivities(accepted(mug(1)))
    fake.cancel_replies.append(business_error("Order item is already being handled"))
    handle = await orders.start(fake)
    await reaches(handle, OrderStatus.AWAITING_PICK)
    await handle.execute_update(OrderWorkflow.cancel, CancelRequest(reason=CancellationReason.OTHER))

    stuck = await needs_attention(handle)
    assert stuck.attention == {Step.CANCEL: "Order item is already being handled"}
    assert stuck.status == OrderStatus.AWAITING_PICK and stuck.lines[0].quantity_cancelled == 0
    assert (await search_attributes(handle))["NeedsAttention"] is True
    assert "⚠ needs attention (cancel): Order item is already being handled" in await current_details(handle)
    assert len(fake.called("cancel_line")) == 1  # no retry until ops resume

    await handle.execute_update(OrderWorkflow.resume, ResumeRequest(note="asked bol"))
    result = await finished(handle)
    assert result.status == OrderStatus.CANCELLED and not result.needs_attention
    assert cancelled(fake) == [("L-MUG", CancellationReason.OTHER, 1)] * 2
    assert (await search_attributes(handle))["NeedsAttention"] is False
