"""Heartbeats reach the server only when they carry news: each one that
does is a billable action, and the SDK sends an activity's first heartbeat
at once. A shipment bol confirms within seconds sends none; one bol takes
its time over still proves the worker alive, with the process id a retry
resumes (issue 12)."""

from temporalio.api.enums.v1 import PendingActivityState

from activities import heartbeat
from domain.order.messages import PickRequest
from domain.order.status import OrderStatus
from tests.support import eventually
from tests.workflows.helpers import LAMP, place_and_start, wait_for
from workers.actions import HEARTBEAT
from workers.server_metrics import frontend_requests, unrecorded_actions
from workflows.order import OrderWorkflow

PICK = PickRequest(track_and_trace="3SBOL0000001", weight_grams=900)


async def test_a_shipment_bol_confirms_at_once_sends_no_heartbeat(dev_env, dev_metrics_url, engines, bol, task_queue):
    engine = engines.build(task_queue)
    async with engine.worker(dev_env.client):
        _, handle = await place_and_start(dev_env.client, bol, task_queue, [{**LAMP, "quantity": 1}])
        await wait_for(handle, OrderStatus.AWAITING_PICK, timeout=30)
        # Settled: an earlier test's last heartbeats are not counted as this order's.
        before = await frontend_requests(dev_metrics_url, settle=True)
        await handle.execute_update(OrderWorkflow.pick, PICK)
        await wait_for(handle, OrderStatus.SHIPPED, timeout=30)
        after = await frontend_requests(dev_metrics_url, settle=True)
        await handle.terminate("test over")
    assert unrecorded_actions(before, after).by_kind[HEARTBEAT] == 0


async def test_a_shipment_bol_takes_its_time_over_heartbeats_its_process_id(
    dev_env, dev_metrics_url, engines, bol, task_queue, monkeypatch
):
    monkeypatch.setattr(heartbeat, "EVERY_SECONDS", 0.5)  # the worker runs here: its beats come sooner
    engine = engines.build(task_queue)
    async with engine.worker(dev_env.client):
        _, handle = await place_and_start(dev_env.client, bol, task_queue, [{**LAMP, "quantity": 1}])
        await wait_for(handle, OrderStatus.AWAITING_PICK, timeout=30)
        bol.state.update_config(process_delay_seconds=3)
        before = await frontend_requests(dev_metrics_url)
        await handle.execute_update(OrderWorkflow.pick, PICK)

        async def beat_with_the_process() -> list[str]:
            described = await handle.describe()
            pending = described.raw_description.pending_activities
            started = [a for a in pending if a.state == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED]
            return [p.data.decode() for a in started for p in a.heartbeat_details.payloads]

        details = await eventually(beat_with_the_process, timeout=2.5)
        shipments = await bol.get("/_sandbox/process-statuses")
        sent = unrecorded_actions(before, await frontend_requests(dev_metrics_url, settle=True))
        await handle.terminate("test over")
    assert sent.by_kind[HEARTBEAT] >= 1  # what the other test's zero is measured with
    assert any(s["processStatusId"] in d for s in shipments for d in details)
