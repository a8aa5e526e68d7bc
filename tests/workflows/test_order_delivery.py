"""The return window runs from the delivery: the transit time's estimate,
unless the carrier's delivery event (bol's transport events) shows a later
delivery when that window ends; then the order stays open until the
marketplace's window, from the real delivery, has ended too."""

from datetime import timedelta

from domain.order.messages import PickRequest
from domain.order.status import OrderStatus
from tests.workflows.helpers import MUG, keep_history, place_and_start, wait_for
from workflows.order import OrderWorkflow


async def test_a_delivery_later_than_expected_keeps_the_order_open_for_the_whole_window(
    time_env, engines, bol, task_queue
):
    engine = engines.build(task_queue)
    async with engine.worker(time_env.client):
        _order, handle = await place_and_start(
            time_env.client, bol, task_queue, [{**MUG, "quantity": 1}], follow_delivery_events=True
        )
        await wait_for(handle, OrderStatus.AWAITING_PICK)
        await handle.execute_update(OrderWorkflow.pick, PickRequest(track_and_trace="3SBOL0000001"))
        shipped = await wait_for(handle, OrderStatus.SHIPPED)
        expected_end = shipped.return_window_ends
        assert expected_end is not None
        (shipment,) = await bol.get("/_sandbox/shipments")
        # The parcel got lost for a week: delivered nine days after it left.
        delivered = shipped.shipments[0].confirmed_at + timedelta(days=9)
        await bol.post(
            f"/_sandbox/shipments/{shipment['shipmentId']}/events",
            {"eventCode": "DELIVERED_AT_CUSTOMER", "at": delivered.isoformat()},
        )
        closed = await handle.result()  # the time-skipping server jumps the weeks
        await keep_history(handle, "order-delivered-later-than-expected")

    assert closed.status == OrderStatus.CLOSED
    # bol registers the delivery a day later; its 30 days run from then.
    assert closed.return_window_ends == delivered + timedelta(days=1 + 30)
    assert closed.return_window_ends > expected_end
    assert any("the carrier delivered" in note for note in closed.history)
