"""The alert evaluation on its Temporal Schedule, with real sinks: a webhook
receiver that fails first (retried) and an SMTP server on loopback. An order
near its ship-by cut-off and a failed import raise alerts; the order shows
NeedsAttention; shipping it and a good import resolve them."""

import json
from datetime import timedelta

from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.client import Client

from activities.store import AlertBook
from domain.alerts.config import AlertSettings, EmailSink, Thresholds, WebhookSink
from domain.ids import alert_schedule_id, alerts_workflow_id
from domain.order.messages import PickRequest
from domain.order.status import OrderStatus
from tests.alerts.sinks import Receiver, smtp_server
from tests.cli.test_cli import cli_env, ordertide
from tests.support import eventually
from tests.workflows.helpers import MUG, place_and_start, view, wait_for
from workers.alert_schedule import ensure_alert_schedule
from workers.http import serve_in_thread
from workers.settings import settings_env
from workflows.order import OrderWorkflow


async def evaluated(client: Client, task_queue: str) -> None:
    """Run the evaluation now and wait until it (and its messages) are done."""
    schedule = client.get_schedule_handle(alert_schedule_id(task_queue))
    before = (await schedule.describe()).info.num_actions
    await schedule.trigger()

    async def done() -> bool:
        info = (await schedule.describe()).info
        return info.num_actions > before and not info.running_actions

    await eventually(done, timeout=30)


async def test_alerts_are_raised_sent_shown_and_resolved(dev_env, engines, bol, task_queue, tmp_path):
    client = dev_env.client
    receiver = Receiver(failures=1)
    hook = serve_in_thread(receiver.app())
    engine = engines.build(task_queue)
    with smtp_server() as (mailbox, smtp_port):
        engine.settings = engine.settings.model_copy(
            update={
                "alerts": AlertSettings(
                    every=timedelta(days=365),  # the test triggers it (a shorter interval could fire mid-test)
                    webhooks=[WebhookSink(url=f"{hook.url}/hook")],
                    email=EmailSink(host="127.0.0.1", port=smtp_port, sender="engine@shop.test", to=["ops@shop.test"]),
                    # Every fresh sandbox order is "near" its cut-off.
                    thresholds=Thresholds(ship_by_warning=timedelta(days=90)),
                )
            }
        )
        book = AlertBook(engine.db)
        book.import_failed("stock", "stock.csv", "imp-1", "2 row(s) rejected")
        schedule = client.get_schedule_handle(alert_schedule_id(task_queue))
        try:
            async with engine.worker(client):
                await ensure_alert_schedule(client, engine.settings)
                await ensure_alert_schedule(client, engine.settings)  # a second worker starting: no error, one schedule
                every = (await schedule.describe()).schedule.spec.intervals[0].every
                assert every == timedelta(days=365)

                order, handle = await place_and_start(client, bol, task_queue, [{**MUG, "quantity": 1}])
                await wait_for(handle, OrderStatus.AWAITING_PICK)
                await evaluated(client, task_queue)

                texts = receiver.texts()
                assert receiver.calls == 3  # the first call failed and was retried
                assert any("WARNING] ship-by" in t and order["orderId"] in t for t in texts)
                assert any("ALERT] import-failed: stock:stock.csv" in t for t in texts)
                assert receiver.bodies[0]["attachments"][0]["fields"][0] == {
                    "title": "change",
                    "value": "raised",
                    "short": True,
                }
                assert sorted(mailbox.subjects()) == sorted(b["attachments"][0]["title"] for b in receiver.bodies)
                # One key per message on both sinks: receivers can drop a repeat.
                assert {str(m["Message-ID"]) for m in mailbox.messages} == {f"<{k}@ordertide>" for k in receiver.keys}
                current = await view(handle)
                assert current.needs_attention and "ship-by (warning)" in current.alerts
                alerts_workflow = client.get_workflow_handle(alerts_workflow_id(task_queue))
                shown = await alerts_workflow.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
                assert shown.current_details.startswith("**2 open alert(s)**")  # what the Web UI shows
                assert "ALERT import-failed stock:stock.csv" in shown.current_details

                env = {**cli_env(dev_env, tmp_path), **settings_env(engine.settings)}
                code, out, _ = await ordertide("alerts", "--json", env=env)
                assert code == 0 and {a["kind"] for a in json.loads(out)} == {"ship-by", "import-failed"}

                # Nothing changed: the next evaluation sends nothing.
                await evaluated(client, task_queue)
                assert len(receiver.bodies) == 2

                await handle.execute_update(OrderWorkflow.pick, PickRequest(track_and_trace="3SBOL0000001"))
                await wait_for(handle, OrderStatus.SHIPPED)
                book.import_succeeded("stock", "stock.csv")
                await evaluated(client, task_queue)
                resolved = [t for t in receiver.texts()[2:] if "RESOLVED" in t]
                assert len(resolved) == 2
                assert not (await view(handle)).needs_attention
                assert book.open_alerts() == []
        finally:
            await schedule.delete()
            await client.get_workflow_handle(alerts_workflow_id(task_queue)).terminate()
            hook.stop()
