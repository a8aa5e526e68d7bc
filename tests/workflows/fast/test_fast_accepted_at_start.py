"""Orders intake started accepted (issue 12, activities/order_start.py): the
workflow goes on from intake's acceptance, records no marker (no patch, no
local activity: one billable action less), and a problem with it is flagged
and accepted again once resumed, as for an order accepted by its workflow.
One intake could not accept accepts in an activity of its own (code version
2): no workflow task waits on the marketplace read and the store."""

from temporalio.api.enums.v1 import EventType

from domain.order.messages import ORDER_CODE_VERSION, ResumeRequest
from domain.order.status import OrderStatus, Step
from tests.workflows.fast.doubles import MUG_EAN, FakeOrderActivities, accepted, business_error, mug
from tests.workflows.fast.support import needs_attention, reaches, view
from tests.workflows.helpers import keep_history
from workflows.order import OrderWorkflow


async def test_an_order_started_accepted_awaits_pick_without_accepting_again_or_any_marker(orders):
    fake = FakeOrderActivities()  # accept_order would fail: no reply queued
    handle = await orders.start(fake, code_version=ORDER_CODE_VERSION, accepted=accepted(mug(2)))

    waiting = await reaches(handle, OrderStatus.AWAITING_PICK)

    assert fake.names == []
    assert [(line.sku, line.reserved) for line in waiting.lines] == [("MUG-BLUE", True)]
    history = await handle.fetch_history()
    assert not [e for e in history.events if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED]


async def test_an_order_started_accepted_with_an_unknown_ean_needs_attention_then_accepts_once_resumed(orders):
    fake = FakeOrderActivities(accepted(mug(1)))
    started = accepted(mug(1, sku=None, reserved=False), unknown_eans=[MUG_EAN])
    handle = await orders.start(fake, code_version=ORDER_CODE_VERSION, accepted=started)

    flagged = await needs_attention(handle)
    assert flagged.status == OrderStatus.RECEIVED
    assert MUG_EAN in flagged.attention[Step.ACCEPT]
    assert fake.names == []

    await handle.execute_update(OrderWorkflow.resume, ResumeRequest())
    await reaches(handle, OrderStatus.AWAITING_PICK)
    assert fake.names == ["accept_order"]
    assert not (await view(handle)).needs_attention


async def test_an_order_intake_could_not_accept_accepts_in_an_activity_not_inside_a_workflow_task(orders):
    fake = FakeOrderActivities(business_error("Order not found"), accepted(mug(1)))
    handle = await orders.start(fake, code_version=ORDER_CODE_VERSION)

    assert (await needs_attention(handle)).attention == {Step.ACCEPT: "Order not found"}
    await handle.execute_update(OrderWorkflow.resume, ResumeRequest())
    await reaches(handle, OrderStatus.AWAITING_PICK)

    assert fake.names == ["accept_order", "accept_order"]
    events = (await handle.fetch_history()).events
    scheduled = [
        e.activity_task_scheduled_event_attributes.activity_type.name
        for e in events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    ]
    assert scheduled == ["accept_order", "accept_order"]
    assert not [e for e in events if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED]
    await keep_history(handle, "order-accept-as-activity-refused-then-resume")
