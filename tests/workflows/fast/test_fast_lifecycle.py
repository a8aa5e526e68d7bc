"""The happy path, acceptance and shipping branches, on doubles."""

import sqlite3
from datetime import timedelta

from sqlalchemy.exc import OperationalError
from temporalio import activity

from activities import errors
from activities.orders import OrderActivities
from domain.channels import Marketplace
from domain.order.commands import ShipInput, ShipmentResult, TransporterQuery
from domain.order.messages import PickRequest, ResumeRequest, ShipRequest
from domain.order.status import OrderStatus, Step
from domain.order.view import LineQuantity, OrderRef, Transport
from tests.workflows.fast.doubles import (
    ACTIVITIES,
    MUG_EAN,
    FakeOrderActivities,
    accepted,
    business_error,
    lamp,
    mug,
    unexpected_error,
)
from tests.workflows.fast.support import current_details, finished, needs_attention, reaches, search_attributes, until
from tests.workflows.helpers import keep_history
from workflows.order import OrderWorkflow

SHIP_BY_END_OF_DAY = "2026-03-03T23:59:59+00:00"


def _name(fn) -> str:
    definition = activity._Definition.from_callable(fn)
    assert definition is not None and definition.name, fn
    return definition.name


def test_the_doubles_carry_the_real_activity_names():
    """The workflow schedules activities by name: the doubles stand in only
    if they carry exactly the names the real worker registers."""
    real = OrderActivities.__new__(OrderActivities).all()
    assert {_name(fn) for fn in ACTIVITIES} == {_name(fn) for fn in real}


async def test_happy_path_accepts_ships_waits_out_the_return_window_and_closes(orders):
    fake = FakeOrderActivities(accepted(mug(2), lamp(1)))
    handle = await orders.start(fake)
    order_id = handle.id.split(":")[-1]

    waiting = await reaches(handle, OrderStatus.AWAITING_PICK)
    assert fake.called("accept_order") == [
        OrderRef(channel="bol", marketplace=Marketplace.BOL, marketplace_order_id=order_id)
    ]
    assert [(line.line_id, line.reserved) for line in waiting.lines] == [("L-MUG", True), ("L-LAMP", True)]
    assert str(waiting.ship_by) == "2026-03-03" and waiting.destination_country == "NL"
    assert (
        await current_details(handle)
        == "**AWAITING_PICK** — waiting for: The warehouse to pick 2 line(s) (ship by 2026-03-03)"
    )
    attributes = await search_attributes(handle)
    assert attributes["OrderStatus"] == "AWAITING_PICK"
    assert attributes["ShipBy"] == SHIP_BY_END_OF_DAY
    assert not attributes.get("NeedsAttention")

    assert (
        await handle.execute_update(OrderWorkflow.pick, PickRequest(track_and_trace="3SBOL0000001", weight_grams=900))
        == "picked; shipping follows"
    )
    shipped = await reaches(handle, OrderStatus.SHIPPED)

    assert fake.called("choose_transporter") == [
        TransporterQuery(marketplace=Marketplace.BOL, country="NL", pickup_point=False, weight_grams=900)
    ]
    [ship] = fake.called("ship_lines")
    assert ship == ShipInput(
        order=OrderRef(channel="bol", marketplace=Marketplace.BOL, marketplace_order_id=order_id),
        lines=[LineQuantity(line_id="L-MUG", quantity=2), LineQuantity(line_id="L-LAMP", quantity=1)],
        shipped_before={"L-MUG": 0, "L-LAMP": 0},
        transport=Transport(transporter_code="TNT", track_and_trace="3SBOL0000001"),
        reference=order_id,
    )
    [shipment] = shipped.shipments
    assert shipment.transport.transporter_code == "TNT" and (shipment.process_id or "").startswith("ship-")
    assert [(line.quantity_picked, line.quantity_shipped) for line in shipped.lines] == [(2, 2), (1, 1)]
    # bol's 30 days run from delivery: PostNL (TNT) takes a day to NL, bol a day to register it.
    delivered = shipment.confirmed_at + timedelta(days=2)
    assert f"the return window runs from the expected delivery, {delivered:%Y-%m-%d %H:%M} UTC" in shipped.history[-1]
    assert shipped.return_window_ends == shipment.confirmed_at + timedelta(days=32)
    assert any("shipped L-MUG×2, L-LAMP×1 with TNT, tracking 3SBOL0000001" in note for note in shipped.history)
    assert (await current_details(handle)).startswith("**SHIPPED** — waiting for: The return window to close on ")
    attributes = await search_attributes(handle)
    assert attributes["OrderStatus"] == "SHIPPED"
    assert attributes.get("ShipBy") is None  # shipped: no longer "late"

    closed = await finished(handle)  # the time-skipping server jumps the 30 days
    assert closed.status == OrderStatus.CLOSED
    assert closed.waiting_for == "Nothing: the order is closed"
    # A channel that does not follow delivery events asks bol nothing more:
    # the happy path keeps its 7 billable actions.
    assert fake.names == ["accept_order", "choose_transporter", "ship_lines"]
    assert (await search_attributes(handle))["OrderStatus"] == "CLOSED"
    assert await current_details(handle) == "**CLOSED** — waiting for: Nothing: the order is closed"


async def test_a_shorter_return_window_from_the_input_closes_sooner(orders):
    fake = FakeOrderActivities(accepted(mug(1)))
    handle = await orders.start(fake, return_window=timedelta(hours=2))
    await reaches(handle, OrderStatus.AWAITING_PICK)
    await handle.execute_update(OrderWorkflow.pick, PickRequest())
    shipped = await reaches(handle, OrderStatus.SHIPPED)
    assert shipped.return_window_ends == shipped.shipments[0].confirmed_at + timedelta(hours=2)
    assert (await finished(handle)).status == OrderStatus.CLOSED


async def test_an_order_without_ship_by_sets_no_ship_by_attribute(orders):
    fake = FakeOrderActivities(accepted(mug(1), ship_by=None, pickup_point=True, destination_country="BE"))
    handle = await orders.start(fake)
    waiting = await reaches(handle, OrderStatus.AWAITING_PICK)
    assert waiting.waiting_for == "The warehouse to pick 1 line(s)"
    assert (await search_attributes(handle)).get("ShipBy") is None
    await handle.execute_update(OrderWorkflow.pick, PickRequest())
    await reaches(handle, OrderStatus.SHIPPED)
    assert fake.called("choose_transporter") == [
        TransporterQuery(marketplace=Marketplace.BOL, country="BE", pickup_point=True, weight_grams=None)
    ]


async def test_an_unknown_ean_needs_attention_until_resumed_with_the_product_listed(orders):
    unknown = accepted(mug(1, sku=None, reserved=False), unknown_eans=[MUG_EAN])
    fake = FakeOrderActivities(unknown, accepted(mug(1)))
    handle = await orders.start(fake)

    stuck = await needs_attention(handle)
    assert stuck.status == OrderStatus.RECEIVED
    assert stuck.attention == {Step.ACCEPT: f"EAN {MUG_EAN} is not in the catalog: add the product, then resume"}
    assert (await search_attributes(handle))["NeedsAttention"] is True
    assert await current_details(handle) == (
        "**RECEIVED** — waiting for: Accepting the order and reserving stock\n\n"
        f"⚠ needs attention (accept): EAN {MUG_EAN} is not in the catalog: add the product, then resume"
        " — fix, then `resume`"
    )
    assert len(fake.called("accept_order")) == 1  # waits for ops, does not retry by itself

    assert await handle.execute_update(OrderWorkflow.resume, ResumeRequest(note="listed the mug")) == "resumed accept"
    ready = await reaches(handle, OrderStatus.AWAITING_PICK)
    assert len(fake.called("accept_order")) == 2
    assert not ready.needs_attention and ready.attention == {} and ready.lines[0].reserved
    assert any("resumed by ops (accept): listed the mug" in note for note in ready.history)
    assert (await search_attributes(handle))["NeedsAttention"] is False


async def test_a_business_error_while_accepting_needs_attention_then_resume_retries(orders):
    fake = FakeOrderActivities(business_error("Order not found"), accepted(mug(1)))
    handle = await orders.start(fake)
    stuck = await needs_attention(handle)
    assert stuck.attention == {Step.ACCEPT: "Order not found"}
    await handle.execute_update(OrderWorkflow.resume, ResumeRequest())
    ready = await reaches(handle, OrderStatus.AWAITING_PICK)
    assert not ready.needs_attention and len(fake.called("accept_order")) == 2
    await keep_history(handle, "order-accept-refused-then-resume")


UNPARSEABLE = (
    "unexpected error in accept_order (7 attempts): ValidationError: Order does not match "
    "(shipmentDetails.zipCode: missing)"
)


async def test_an_unexpected_error_while_accepting_needs_attention_then_resume_retries(orders):
    """The activity stopped retrying an error nobody classified: the order
    shows it instead of failing (or, before, retrying forever unseen)."""
    fake = FakeOrderActivities(unexpected_error(UNPARSEABLE), accepted(mug(1)))
    handle = await orders.start(fake)
    stuck = await needs_attention(handle)
    assert stuck.attention == {Step.ACCEPT: UNPARSEABLE}
    assert stuck.status == OrderStatus.RECEIVED
    assert (await search_attributes(handle))["NeedsAttention"] is True
    await handle.execute_update(OrderWorkflow.resume, ResumeRequest())
    ready = await reaches(handle, OrderStatus.AWAITING_PICK)
    assert not ready.needs_attention and len(fake.called("accept_order")) == 2
    await keep_history(handle, "order-accept-unexpected-error-then-resume")


async def test_a_store_outage_while_accepting_is_retried_a_few_times_then_needs_attention(orders, monkeypatch):
    """End to end through the retry policy: before, the local activity was
    retried forever while the order sat in RECEIVED looking fine."""
    monkeypatch.setattr(errors, "UNEXPECTED_ERROR_ATTEMPTS", 2)  # about a minute in production
    outage = OperationalError(
        "INSERT INTO orders VALUES (?)", ("Jan Jansen",), sqlite3.OperationalError("disk I/O error")
    )
    fake = FakeOrderActivities(outage, outage, accepted(mug(1)))
    handle = await orders.start(fake)
    stuck = await needs_attention(handle)
    assert stuck.attention == {
        Step.ACCEPT: "unexpected error in accept_order (2 attempts): OperationalError from the store: disk I/O error"
    }
    assert stuck.status == OrderStatus.RECEIVED and len(fake.called("accept_order")) == 2
    await handle.execute_update(OrderWorkflow.resume, ResumeRequest())
    await reaches(handle, OrderStatus.AWAITING_PICK)


async def test_an_unexpected_error_while_shipping_needs_attention_then_resume_ships(orders):
    fake = FakeOrderActivities(accepted(mug(1)))
    fake.ship_replies.append(unexpected_error("unexpected error in ship_lines (7 attempts): OperationalError"))
    handle = await orders.start(fake)
    await reaches(handle, OrderStatus.AWAITING_PICK)
    await handle.execute_update(OrderWorkflow.pick, PickRequest())
    stuck = await needs_attention(handle)
    assert stuck.attention == {Step.SHIP: "unexpected error in ship_lines (7 attempts): OperationalError"}
    await handle.execute_update(OrderWorkflow.resume, ResumeRequest())
    shipped = await reaches(handle, OrderStatus.SHIPPED)
    assert not shipped.needs_attention and len(fake.called("ship_lines")) == 2


async def test_lines_picked_separately_ship_as_separate_shipments(orders):
    fake = FakeOrderActivities(accepted(mug(3), lamp(1)))
    handle = await orders.start(fake)
    await reaches(handle, OrderStatus.AWAITING_PICK)

    await handle.execute_update(
        OrderWorkflow.pick, PickRequest(lines=[LineQuantity(line_id="L-MUG", quantity=2)], track_and_trace="T1")
    )
    partly = await until(handle, lambda v: v.shipments and v.status == OrderStatus.AWAITING_PICK)
    assert [(line.quantity_shipped, line.open_quantity) for line in partly.lines] == [(2, 1), (0, 1)]
    assert partly.waiting_for == "The warehouse to pick 2 line(s) (ship by 2026-03-03)"
    assert (await search_attributes(handle))["ShipBy"] == SHIP_BY_END_OF_DAY  # not all shipped yet

    await handle.execute_update(OrderWorkflow.pick, PickRequest(track_and_trace="T2"))
    shipped = await reaches(handle, OrderStatus.SHIPPED)
    first, second = fake.called("ship_lines")
    assert (first.lines, first.shipped_before) == (
        [LineQuantity(line_id="L-MUG", quantity=2)],
        {"L-MUG": 0, "L-LAMP": 0},
    )
    assert (second.lines, second.shipped_before) == (
        [LineQuantity(line_id="L-MUG", quantity=1), LineQuantity(line_id="L-LAMP", quantity=1)],
        {"L-MUG": 2, "L-LAMP": 0},
    )
    assert [s.transport.track_and_trace for s in shipped.shipments] == ["T1", "T2"]
    assert [line.quantity_shipped for line in shipped.lines] == [3, 1]
    assert (await search_attributes(handle)).get("ShipBy") is None


async def test_ship_override_uses_the_given_transporter_without_choosing_one(orders):
    fake = FakeOrderActivities(accepted(mug(2), lamp(1)))
    handle = await orders.start(fake)
    await reaches(handle, OrderStatus.AWAITING_PICK)

    # No pick: "ship" ships every open line.
    assert (
        await handle.execute_update(
            OrderWorkflow.ship, ShipRequest(transporter_code="DHL_DE", track_and_trace="JJD000123")
        )
        == "shipping"
    )
    shipped = await reaches(handle, OrderStatus.SHIPPED)
    assert fake.called("choose_transporter") == []
    [ship] = fake.called("ship_lines")
    assert ship.transport == Transport(transporter_code="DHL_DE", track_and_trace="JJD000123")
    assert ship.lines == [LineQuantity(line_id="L-MUG", quantity=2), LineQuantity(line_id="L-LAMP", quantity=1)]
    assert shipped.shipments[0].transport.transporter_code == "DHL_DE"


async def test_ship_with_tracking_only_still_chooses_the_transporter(orders):
    fake = FakeOrderActivities(accepted(mug(1)), transporter="POSTNL")
    handle = await orders.start(fake)
    await reaches(handle, OrderStatus.AWAITING_PICK)
    await handle.execute_update(OrderWorkflow.ship, ShipRequest(track_and_trace="3SPOST1"))
    await reaches(handle, OrderStatus.SHIPPED)
    assert len(fake.called("choose_transporter")) == 1
    assert fake.called("ship_lines")[0].transport == Transport(transporter_code="POSTNL", track_and_trace="3SPOST1")


async def test_a_failed_shipment_needs_attention_then_resume_ships_the_same_lines(orders):
    fake = FakeOrderActivities(accepted(mug(1)))
    fake.ship_replies.append(business_error("Transporter code is not valid for this order"))
    handle = await orders.start(fake)
    await reaches(handle, OrderStatus.AWAITING_PICK)
    await handle.execute_update(OrderWorkflow.pick, PickRequest(track_and_trace="3SBOL0000004"))

    stuck = await needs_attention(handle)
    assert stuck.attention == {Step.SHIP: "Transporter code is not valid for this order"}
    assert stuck.status == OrderStatus.AWAITING_PICK and stuck.shipments == []
    attributes = await search_attributes(handle)
    assert attributes["NeedsAttention"] is True and attributes["ShipBy"] == SHIP_BY_END_OF_DAY
    assert "⚠ needs attention (ship): Transporter code is not valid for this order" in await current_details(handle)

    assert await handle.execute_update(OrderWorkflow.resume, ResumeRequest(note="checked with bol")) == "resumed ship"
    shipped = await reaches(handle, OrderStatus.SHIPPED)
    first, second = fake.called("ship_lines")
    assert first == second  # the same lines, transporter and tracking again
    assert not shipped.needs_attention
    attributes = await search_attributes(handle)
    assert attributes["NeedsAttention"] is False
    assert attributes["OrderStatus"] == "SHIPPED"
    assert attributes.get("ShipBy") is None
    assert "⚠" not in await current_details(handle)


async def test_a_failed_shipment_can_be_shipped_with_another_transporter(orders):
    fake = FakeOrderActivities(accepted(mug(1)))
    fake.ship_replies.append(business_error("Transporter code is not valid for this order"))
    handle = await orders.start(fake)
    await reaches(handle, OrderStatus.AWAITING_PICK)
    await handle.execute_update(OrderWorkflow.pick, PickRequest(track_and_trace="3SBOL0000005"))
    await needs_attention(handle)

    await handle.execute_update(OrderWorkflow.ship, ShipRequest(transporter_code="DPD_NL"))
    shipped = await reaches(handle, OrderStatus.SHIPPED)
    first, second = fake.called("ship_lines")
    assert first.transport == Transport(transporter_code="TNT", track_and_trace="3SBOL0000005")
    assert second.transport == Transport(transporter_code="DPD_NL", track_and_trace="3SBOL0000005")
    assert len(fake.called("choose_transporter")) == 1
    assert not shipped.needs_attention and shipped.shipments[0].transport.transporter_code == "DPD_NL"


async def test_no_transporter_rule_needs_attention_until_shipped_with_an_explicit_transporter(orders):
    fake = FakeOrderActivities(accepted(mug(1), destination_country="JP"))
    fake.transporter_replies.append(business_error("no transporter rule matches bol JP (pickup point: False)"))
    handle = await orders.start(fake)
    await reaches(handle, OrderStatus.AWAITING_PICK)
    await handle.execute_update(OrderWorkflow.pick, PickRequest())

    stuck = await needs_attention(handle)
    assert "no transporter rule matches" in stuck.attention[Step.SHIP]
    assert fake.called("ship_lines") == []
    await handle.execute_update(OrderWorkflow.ship, ShipRequest(transporter_code="UPS"))
    shipped = await reaches(handle, OrderStatus.SHIPPED)
    assert fake.called("ship_lines")[0].transport.transporter_code == "UPS"
    assert not shipped.needs_attention
    await keep_history(handle, "order-no-transporter-rule-then-ship-override")


async def test_the_ship_activity_may_ship_only_some_lines(orders):
    """A marketplace that reports fewer lines shipped than asked: the rest,
    still picked, goes out in a second shipment."""
    fake = FakeOrderActivities(accepted(mug(1), lamp(1)))
    fake.ship_replies.append(lambda step: ShipmentResult(shipped=[step.lines[1]], process_id="p-1"))
    handle = await orders.start(fake)
    await reaches(handle, OrderStatus.AWAITING_PICK)
    await handle.execute_update(OrderWorkflow.pick, PickRequest())
    shipped = await reaches(handle, OrderStatus.SHIPPED)
    first, second = fake.called("ship_lines")
    assert [line.line_id for line in first.lines] == ["L-MUG", "L-LAMP"]
    assert (second.lines, second.shipped_before) == (
        [LineQuantity(line_id="L-MUG", quantity=1)],
        {"L-MUG": 0, "L-LAMP": 1},
    )
    assert [(s.lines, s.process_id is not None) for s in shipped.shipments] == [
        ([LineQuantity(line_id="L-LAMP", quantity=1)], True),
        ([LineQuantity(line_id="L-MUG", quantity=1)], True),
    ]
    assert shipped.shipments[0].process_id == "p-1"
