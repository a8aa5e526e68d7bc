"""A return the marketplace registers after the order's workflow closed is
handled, not only logged: intake reopens the order (a new run of the same
order id, from the closed run's result), which handles and restocks it.
OrderWorkflow on the time-skipping server with the real activities and the
Kaufland sandbox."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from activities.intake import IntakeActivities
from domain.order.messages import ReturnReceivedRequest
from domain.order.status import OrderStatus
from tests.aftersales.support import kaufland_engine, picked_order
from tests.workflows.helpers import keep_history, wait_for
from workflows.order import OrderWorkflow

MUG = {"ean": "8710103917885", "quantity": 2, "price": 1295, "title": "Blue enamel mug", "id_offer": "MUG-BLUE"}


async def test_a_return_registered_a_day_after_close_is_handled_and_restocked(time_env, tmp_path: Path):
    kaufland, settings, engine = kaufland_engine(tmp_path, "kl-late-return")
    client = time_env.client
    try:
        async with engine.worker(client):
            units, workflow_id, first = await picked_order(client, kaufland, settings.task_queue, MUG)
            closed = await first.result()  # the return window passes on the time-skipping server
            assert closed.status == OrderStatus.CLOSED
            await time_env.sleep(timedelta(days=1))

            await kaufland.post("/_sandbox/returns", {"id_order_units": [units[0]], "reason": "dislike"})
            intake = IntakeActivities(engine.channels, client, settings.task_queue)
            assert await intake.forward_returns("kl") == 1
            reopened = client.get_workflow_handle(workflow_id)
            open_return = await wait_for(reopened, OrderStatus.RETURN_OPEN)
            assert [line.quantity_shipped for line in open_return.lines] == [2]
            assert any("reopened: a return arrived after the order had closed" in n for n in open_return.history)
            await reopened.execute_update(OrderWorkflow.return_received, ReturnReceivedRequest(resellable=True))
            handled = await client.get_workflow_handle_for(OrderWorkflow.run, workflow_id).result()
            await keep_history(reopened, "order-return-after-close")
            assert handled.history[: len(closed.history)] == closed.history  # the same order, carried on
    finally:
        await engine.aclose()

    [line] = handled.lines
    assert (line.quantity_shipped, line.quantity_returned) == (2, 1)
    assert handled.status == OrderStatus.CLOSED and not handled.needs_attention
    assert handled.returns[0].refund == Decimal("12.95")
    assert handled.returns[0].registered_at is not None  # Kaufland's creation of the return unit: the SLA's start
    [ret] = kaufland.state.return_units()
    assert ret["id_order_unit"] == units[0] and ret["status"] == "return_accepted"
    assert engine.inventory.stock("MUG-BLUE").on_hand == 49  # two shipped, one back on the shelf
