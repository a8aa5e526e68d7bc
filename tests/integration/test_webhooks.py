"""bol push notifications: an ORDER push starts the order (once), anything
malformed is refused with the field named, other pushes are acknowledged."""

import httpx

from activities.intake import IntakeActivities
from domain.ids import order_workflow_id
from domain.order.status import OrderStatus
from tests.workflows.helpers import MUG, wait_for
from workers.webhooks import create_webhook_app


async def test_an_order_push_starts_the_order_once(dev_env, engines, bol, task_queue):
    engine = engines.build(task_queue)
    intake = IntakeActivities(engine.channels, dev_env.client, task_queue)
    app = create_webhook_app(intake)
    order = await bol.place_order([{**MUG, "quantity": 1}])
    push = {
        "retailerId": 1234567,
        "timestamp": "2026-11-23T10:00:00+01:00",
        "event": {"resource": "ORDER", "type": "UPDATE", "resourceId": order["orderId"]},
    }
    async with (
        engine.worker(dev_env.client),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hooks") as http,
    ):
        first = await http.post("/webhooks/bol/bol", json=push)
        again = await http.post("/webhooks/bol/bol", json=push)  # bol retries deliveries
        assert (first.status_code, again.status_code) == (202, 202)
        handle = dev_env.client.get_workflow_handle(order_workflow_id("bol", order["orderId"]))
        await wait_for(handle, OrderStatus.AWAITING_PICK)
    runs = [wf async for wf in dev_env.client.list_workflows(f"WorkflowId = '{handle.id}'")]
    assert len(runs) == 1


async def test_malformed_or_unknown_pushes_are_refused_and_nothing_starts(dev_env, engines, bol, task_queue):
    engine = engines.build(task_queue)
    app = create_webhook_app(IntakeActivities(engine.channels, dev_env.client, task_queue))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hooks") as http:
        bad = await http.post("/webhooks/bol/bol", json={"event": {"resource": "ORDER"}})
        assert bad.status_code == 400 and "event.resourceId" in bad.json()["error"]
        assert (await http.post("/webhooks/bol/bol", content=b"not json")).status_code == 400
        assert (
            await http.post("/webhooks/bol/elsewhere", json={"event": {"resource": "ORDER", "resourceId": "1"}})
        ).status_code == 404
        status = await http.post(
            "/webhooks/bol/bol", json={"event": {"resource": "PROCESS_STATUS", "resourceId": "123"}}
        )
        assert status.status_code == 202 and status.json() == {"ignored": "PROCESS_STATUS"}
    assert [wf async for wf in dev_env.client.list_workflows("WorkflowId = 'order:elsewhere:1'")] == []
