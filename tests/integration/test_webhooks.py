"""bol push notifications on the real dev server: a signed ORDER push starts
the order (once), a malformed one is refused with the field named, a forged
one starts nothing, and other pushes are acknowledged."""

import asyncio
import json
import uuid

import httpx

from activities.intake import IntakeActivities
from domain.ids import order_workflow_id
from domain.order.status import OrderStatus
from tests.workflows.helpers import MUG, wait_for
from workers.webhooks import create_webhook_app


def hooks(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hooks")


async def test_an_order_push_starts_the_order_once(dev_env, engines, bol, task_queue):
    engine = engines.build(task_queue)
    intake = IntakeActivities(engine.channels, dev_env.client, task_queue)
    app = create_webhook_app(intake)
    order = await bol.place_order([{**MUG, "quantity": 1}])
    push = await bol.post(
        "/_sandbox/pushes", {"event": {"resource": "ORDER", "type": "NEW", "resourceId": order["orderId"]}}
    )
    async with engine.worker(dev_env.client), hooks(app) as http:
        first = await http.post("/webhooks/bol/bol", content=push["body"], headers=push["headers"])
        again = await http.post("/webhooks/bol/bol", content=push["body"], headers=push["headers"])  # bol retries
        assert (first.status_code, again.status_code) == (202, 202)
        handle = dev_env.client.get_workflow_handle(order_workflow_id("bol", order["orderId"]))
        await wait_for(handle, OrderStatus.AWAITING_PICK)
    runs = [wf async for wf in dev_env.client.list_workflows(f"WorkflowId = '{handle.id}'")]
    assert len(runs) == 1


async def test_malformed_forged_or_unknown_pushes_are_refused_and_nothing_starts(dev_env, engines, bol, task_queue):
    engine = engines.build(task_queue)
    app = create_webhook_app(IntakeActivities(engine.channels, dev_env.client, task_queue))
    order = await bol.place_order([{**MUG, "quantity": 1}])
    forged_id = f"{order['orderId']}#x"

    def signed(body: bytes) -> dict[str, str]:
        return {"signature": bol.state.push_keys.sign(body)}

    missing_id = json.dumps({"retailerId": "1234567", "event": {"resource": "ORDER"}}).encode()
    forged = json.dumps({"retailerId": "1234567", "event": {"resource": "ORDER", "resourceId": forged_id}}).encode()
    status = json.dumps({"retailerId": "1234567", "event": {"resource": "PROCESS_STATUS", "resourceId": "1"}}).encode()
    async with hooks(app) as http:
        bad = await http.post("/webhooks/bol/bol", content=missing_id, headers=signed(missing_id))
        assert bad.status_code == 400 and "event.resourceId" in bad.json()["error"]
        assert (
            await http.post("/webhooks/bol/bol", content=b"not json", headers=signed(b"not json"))
        ).status_code == 400
        assert (await http.post("/webhooks/bol/bol", content=forged, headers=signed(forged))).status_code == 400
        assert (await http.post("/webhooks/bol/bol", content=forged)).status_code == 401
        assert (await http.post("/webhooks/bol/elsewhere", content=forged, headers=signed(forged))).status_code == 404
        acknowledged = await http.post("/webhooks/bol/bol", content=status, headers=signed(status))
        # About a process no command here waits for: acknowledged, nothing looked up.
        assert acknowledged.status_code == 202 and acknowledged.json() == {"looked_up": False}
    for workflow_id in ("order:elsewhere:1", f"order:bol:{forged_id}"):
        assert [wf async for wf in dev_env.client.list_workflows(f"WorkflowId = '{workflow_id}'")] == []


async def test_a_push_that_outruns_bols_api_is_retried_until_the_order_shows(dev_env, engines, bol, task_queue):
    engine = engines.build(task_queue)
    app = create_webhook_app(IntakeActivities(engine.channels, dev_env.client, task_queue))
    order_id = str(uuid.uuid4().int)[:10]
    push = await bol.post("/_sandbox/pushes", {"event": {"resource": "ORDER", "type": "NEW", "resourceId": order_id}})
    async with engine.worker(dev_env.client), hooks(app) as http:
        pushed = await http.post("/webhooks/bol/bol", content=push["body"], headers=push["headers"])
        assert pushed.status_code == 202
        handle = dev_env.client.get_workflow_handle(order_workflow_id("bol", order_id))
        await asyncio.sleep(0.5)  # bol's API does not show it yet: accept asks again
        await bol.place_order([{**MUG, "quantity": 1}], orderId=order_id)
        accepted = await wait_for(handle, OrderStatus.AWAITING_PICK)
    assert not accepted.needs_attention
