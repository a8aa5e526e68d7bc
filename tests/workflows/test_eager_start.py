"""An order intake starts from a worker's own process (its poll, or
`ordertide worker --webhooks-port`) runs its first task on that worker at
once: eager start spares the server a trip through the task queue and the
order a poll's wait. The same start from another process starts as usual."""

from datetime import UTC, datetime

from temporalio.client import Client

from domain.ids import order_workflow_id
from domain.intake import OrderChange
from domain.order.status import OrderStatus
from starter.bench.stack import metered_server
from tests.workflows.helpers import LAMP, wait_for
from workers.server_metrics import eager_start_requests
from workers.temporal_client import data_converter


async def _hand_over(engine, client, bol) -> str:
    order = await bol.place_order([{**LAMP, "quantity": 1}])
    change = OrderChange(marketplace_order_id=order["orderId"], placed_at=datetime.now(UTC), open=True)
    assert await engine.intake(client).dispatch_order("bol", change)
    await wait_for(client.get_workflow_handle(order_workflow_id("bol", order["orderId"])), OrderStatus.AWAITING_PICK)
    return order["orderId"]


async def test_an_order_intake_starts_beside_the_worker_runs_its_first_task_there(
    dev_env, dev_metrics_url, engines, bol, task_queue
):
    engine = engines.build(task_queue)
    async with engine.worker(dev_env.client):
        await _hand_over(engine, dev_env.client, bol)
    assert await eager_start_requests(dev_metrics_url, task_queue) == 1


async def test_an_order_started_from_another_process_goes_through_the_queue(
    dev_env, dev_metrics_url, engines, bol, task_queue
):
    engine = engines.build(task_queue)
    receiver = await type(dev_env.client).connect(
        dev_env.client.service_client.config.target_host, data_converter=dev_env.client.data_converter
    )
    async with engine.worker(dev_env.client):
        await _hand_over(engine, receiver, bol)
    assert await eager_start_requests(dev_metrics_url, task_queue) == 0


async def test_a_server_that_refuses_eager_starts_counts_none(tmp_path, engines, bol, task_queue):
    """A self-hosted server refuses eager starts unless configured
    (`system.enableEagerWorkflowStart`): the worker still asks, and the
    benchmarks must not report as eager the starts that went through the queue."""
    server = metered_server(tmp_path, ["--dynamic-config-value", "system.enableEagerWorkflowStart=false"])
    try:
        assert server.metrics_url is not None
        client = await Client.connect(server.address, data_converter=data_converter())
        engine = engines.build(task_queue)
        async with engine.worker(client):
            await _hand_over(engine, client, bol)
        assert await eager_start_requests(server.metrics_url, task_queue) == 0
    finally:
        server.stop()
