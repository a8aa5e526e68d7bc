"""Updates in the wrong state are rejected with a reason, and change nothing."""

import asyncio
from datetime import timedelta

from domain.order.messages import CancelRequest, PickRequest, ResumeRequest, ReturnReceivedRequest, ShipRequest
from domain.order.status import OrderStatus
from domain.order.view import LineQuantity
from tests.workflows.fast.doubles import MUG_EAN, FakeOrderActivities, accepted, lamp, mug
from tests.workflows.fast.support import needs_attention, reaches, rejection, until, view
from workflows.order import OrderWorkflow


def pick(line_id: str, quantity: int) -> PickRequest:
    return PickRequest(lines=[LineQuantity(line_id=line_id, quantity=quantity)])


async def test_nothing_can_be_picked_shipped_or_cancelled_before_acceptance(orders):
    fake = FakeOrderActivities(accepted(mug(1, sku=None, reserved=False), unknown_eans=[MUG_EAN]), accepted(mug(1)))
    handle = await orders.start(fake)
    await needs_attention(handle)
    assert "cannot pick yet: the order is still being accepted" in await rejection(
        handle, OrderWorkflow.pick, PickRequest()
    )
    assert "cannot ship yet: the order is still being accepted" in await rejection(
        handle, OrderWorkflow.ship, ShipRequest()
    )
    assert "cannot cancel yet: the order is still being accepted" in await rejection(
        handle, OrderWorkflow.cancel, CancelRequest()
    )
    assert "order is RECEIVED: returns are handled after shipping" in await rejection(
        handle, OrderWorkflow.return_received, ReturnReceivedRequest()
    )
    await handle.execute_update(OrderWorkflow.resume, ResumeRequest())
    await reaches(handle, OrderStatus.AWAITING_PICK)
    assert fake.names == ["accept_order", "accept_order"]


async def test_picks_must_name_known_lines_and_open_quantities(orders):
    fake = FakeOrderActivities(accepted(mug(2), lamp(1)))
    handle = await orders.start(fake)
    await reaches(handle, OrderStatus.AWAITING_PICK)

    assert "line L-MUG: can pick 1..2, not 3" in await rejection(handle, OrderWorkflow.pick, pick("L-MUG", 3))
    assert "line L-MUG: can pick 1..2, not 0" in await rejection(handle, OrderWorkflow.pick, pick("L-MUG", 0))
    assert "order has no line nope; lines: L-MUG, L-LAMP" in await rejection(
        handle, OrderWorkflow.pick, pick("nope", 1)
    )
    assert "does not need attention" in await rejection(handle, OrderWorkflow.resume, ResumeRequest())
    assert "order is AWAITING_PICK: returns are handled after shipping" in await rejection(
        handle, OrderWorkflow.return_received, ReturnReceivedRequest()
    )
    assert "line nope" in await rejection(handle, OrderWorkflow.cancel, CancelRequest(line_ids=["nope"]))

    unchanged = await view(handle)
    assert [line.quantity_picked for line in unchanged.lines] == [0, 0] and fake.called("ship_lines") == []


async def test_nothing_else_while_a_shipment_is_being_confirmed(orders):
    fake = FakeOrderActivities(accepted(mug(2), lamp(1)))
    fake.ship_gate = asyncio.Event()
    handle = await orders.start(fake)
    await reaches(handle, OrderStatus.AWAITING_PICK)
    await handle.execute_update(OrderWorkflow.pick, pick("L-MUG", 2))
    await asyncio.wait_for(fake.ship_started.wait(), timeout=10)
    shipping = await reaches(handle, OrderStatus.SHIPPING)
    # The rules choose the transporter within the ship command (issue 12): named once shipped.
    assert shipping.waiting_for == "Confirming the shipment with bol (transporter by the rules)"

    assert "a shipment is being confirmed right now; wait for it" in await rejection(
        handle, OrderWorkflow.ship, ShipRequest(transporter_code="DHL_DE")
    )
    assert "line L-MUG is being shipped right now" in await rejection(
        handle, OrderWorkflow.cancel, CancelRequest(line_ids=["L-MUG"])
    )
    # The picked line is no longer pickable; the other one is.
    assert "line L-MUG: can pick 1..0, not 1" in await rejection(handle, OrderWorkflow.pick, pick("L-MUG", 1))

    fake.ship_gate.set()
    partly = await until(handle, lambda v: v.shipments and v.status == OrderStatus.AWAITING_PICK)
    assert [line.quantity_shipped for line in partly.lines] == [2, 0]
    assert len(fake.called("ship_lines")) == 1


async def test_shipped_lines_cannot_be_cancelled_or_picked_again(orders):
    fake = FakeOrderActivities(accepted(mug(1), lamp(1)))
    handle = await orders.start(fake)
    await reaches(handle, OrderStatus.AWAITING_PICK)
    await handle.execute_update(OrderWorkflow.pick, pick("L-MUG", 1))
    await until(handle, lambda v: v.shipments and v.status == OrderStatus.AWAITING_PICK)

    assert "line L-MUG is already shipped or cancelled" in await rejection(
        handle, OrderWorkflow.cancel, CancelRequest(line_ids=["L-MUG"])
    )
    assert "line L-MUG: can pick 1..0, not 1" in await rejection(handle, OrderWorkflow.pick, pick("L-MUG", 1))

    await handle.execute_update(OrderWorkflow.pick, PickRequest())
    await reaches(handle, OrderStatus.SHIPPED)
    assert "order is SHIPPED: nothing left to cancel" in await rejection(handle, OrderWorkflow.cancel, CancelRequest())
    assert "order is SHIPPED: no open lines left to pick" in await rejection(handle, OrderWorkflow.pick, PickRequest())
    assert "order is SHIPPED: nothing left to ship" in await rejection(handle, OrderWorkflow.ship, ShipRequest())
    assert "does not need attention" in await rejection(handle, OrderWorkflow.resume, ResumeRequest())
    assert "no open return matches (rma None, line None); open returns: none" in await rejection(
        handle, OrderWorkflow.return_received, ReturnReceivedRequest()
    )
    after = await view(handle)
    assert after.status == OrderStatus.SHIPPED
    assert [line.quantity_cancelled for line in after.lines] == [0, 0]
    assert fake.called("cancel_line") == [] and fake.called("handle_return") == []


async def test_a_line_cannot_be_cancelled_while_its_transporter_is_being_chosen(orders):
    """The lines to ship are taken before the transporter is chosen: a cancel
    accepted then would be answered "cancelling" and the line shipped anyway."""
    fake = FakeOrderActivities(accepted(mug(1), lamp(1)))
    fake.transporter_gate = asyncio.Event()
    handle = await orders.start(fake, task_timeout=timedelta(seconds=1))
    await reaches(handle, OrderStatus.AWAITING_PICK)
    await handle.execute_update(OrderWorkflow.pick, pick("L-MUG", 1))
    await asyncio.wait_for(fake.transporter_started.wait(), timeout=10)

    assert "line L-MUG is being shipped right now" in await rejection(
        handle, OrderWorkflow.cancel, CancelRequest(line_ids=["L-MUG"])
    )
    fake.transporter_gate.set()
    shipped = await until(handle, lambda v: v.shipments and v.status == OrderStatus.AWAITING_PICK)
    assert [line.quantity_shipped for line in shipped.lines] == [1, 0]
    assert fake.called("cancel_line") == []
    # The other line was not being shipped: it can still be cancelled.
    assert await handle.execute_update(OrderWorkflow.cancel, CancelRequest(line_ids=["L-LAMP"])) == "cancelling L-LAMP"
