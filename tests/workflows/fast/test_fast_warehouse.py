"""An order whose warehouse push accept could not deliver: the workflow
retries the delivery as an activity of its own before it waits for a pick;
an order whose push went through in accept runs no such activity."""

from temporalio.exceptions import ApplicationError

from domain.order.status import OrderStatus
from tests.workflows.fast.doubles import FakeOrderActivities, accepted, mug
from tests.workflows.fast.support import current_details, reaches, until


async def test_a_push_accept_could_not_deliver_is_retried_before_the_pick(orders):
    fake = FakeOrderActivities(accepted(mug(1), warehouse_delivery="order:bol:X:v1"))
    fake.delivery_replies.append(ApplicationError("warehouse answered 503", type="WarehouseNotAcknowledged"))
    handle = await orders.start(fake)

    await until(handle, lambda v: v.status == OrderStatus.RECEIVED and len(fake.called("deliver_to_warehouse")) >= 1)
    assert "The warehouse to acknowledge the order" in await current_details(handle)
    await reaches(handle, OrderStatus.AWAITING_PICK)
    assert fake.called("deliver_to_warehouse") == ["order:bol:X:v1", "order:bol:X:v1"]


async def test_a_push_delivered_in_accept_runs_no_delivery(orders):
    fake = FakeOrderActivities(accepted(mug(1)))
    handle = await orders.start(fake)
    await reaches(handle, OrderStatus.AWAITING_PICK)
    assert fake.called("deliver_to_warehouse") == []
