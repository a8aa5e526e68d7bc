"""`ordertide bench burst`: thousands of orders arriving at once (a flash
sale, an intake catching up after an outage). The orders are placed on the
bol sandbox first; then bol's ORDER pushes for all of them reach the webhook
receiver together. The engine's worker runs in a process of its own, as in
production.

Measured from the histories of every order: the longest workflow task
(WorkflowTaskStarted → Completed: what the SDK warns about and what holds
up a workflow's next step), and push → accepted (the push was handed to the
receiver → the order's workflow took it on accepted: its first workflow
task, for the orders the receiver accepted before starting them, else the
accept's local activity marker)."""

import asyncio
import logging
import re
import shutil
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from pydantic import BaseModel
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client

from activities.store import Database, InventoryStore
from domain.ids import order_workflow_id
from starter.bench.order_desk import OrderDesk
from starter.bench.stack import _start_sandbox, _wait_until_serving, catalog, free_port, metered_server
from starter.bench.throughput import _spawn, _stop
from starter.run_cmd import sandbox_channel
from workers import gc_pauses
from workers.server_metrics import eager_start_requests
from workers.settings import Settings, WebhookSettings, WorkerTuning, settings_env
from workers.temporal_client import data_converter
from workers.webhooks import create_webhook_app
from workers.worker import Engine

# The receiver limits pushes per sender address; bol sends from many, the
# benchmark from one, so its limit is lifted here.
UNLIMITED = WebhookSettings(requests_per_second=1_000_000, burst=1_000_000)
# Pushes in flight at once (bol's delivery is concurrent too).
DELIVERY_CONCURRENCY = 100
SLOW_TASK = timedelta(seconds=1)
LOCAL_ACTIVITY_MARKER = "core_local_activity"
ACCEPT_ACTIVITY = "accept_order"
WARMUP = 5


async def _wait_accepted(client: Client, query: str, count: int, timeout: float) -> None:
    """Until `count` orders are accepted, or `timeout` seconds (the result says how many were)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (await client.count_workflows(query)).count >= count:
            return
        await asyncio.sleep(0.5)


def worker_warnings(log_lines: Sequence[str]) -> tuple[Counter[str], int]:
    """The warnings in a worker's log by kind (ids and figures masked, so
    kinds group), and how many of them were workers/gc_pauses.py's notices,
    which are counted apart."""
    warnings: Counter[str] = Counter()
    gc_notices = 0
    for line in log_lines:
        if "WARN" not in line:
            continue
        if f" {gc_pauses.log.name}: " in line:
            gc_notices += 1
            continue
        warnings[re.sub(r"[0-9a-f-]{8,}|\d+", "#", line.split("WARN", 1)[1])[:100].strip()] += 1
    return warnings, gc_notices


class BurstResult(BaseModel):
    orders: int
    accepted: int
    needs_attention: int
    push_seconds: float
    all_accepted_s: float
    push_to_accepted_p50_ms: float
    push_to_accepted_p99_ms: float
    push_to_accepted_max_ms: float
    workflow_tasks: int
    workflow_task_p50_ms: float
    workflow_task_p99_ms: float
    max_workflow_task_ms: float
    workflow_tasks_over_1s: int
    # The workflow types those slow tasks belonged to, with how many each,
    # and the first 20 of them as "workflow id #task" (#1: the first).
    slow_tasks_by_workflow: dict[str, int] = {}
    slow_tasks: list[str] = []
    # Workflow tasks the worker did not complete within their timeout (10 s),
    # as "workflow id #task" (#1: the first, which eager start hands over;
    # "(accepting)": it ran the order's accept).
    workflow_task_timeouts: list[str] = []
    # Workflow task time in the server's queue (Scheduled → Started).
    workflow_task_schedule_to_start_p99_ms: float
    # Warnings the worker logged (the SDK's slow-task and deadlock warnings
    # among them), by kind; its own notices of a long garbage collection
    # apart: they say how long the pause was, not that anything went wrong.
    worker_warnings: int
    worker_warning_kinds: dict[str, int]
    gc_pause_notices: int = 0
    # Pushes answered 503 (Temporal did not take the start in time) and delivered again.
    pushes_redelivered: int
    # Orders the receiver could not accept before starting them, which their
    # workflow accepted, and how many of their first workflow tasks took over
    # 1 s (of `workflow_tasks_over_1s`): up to code version 1 that task ran
    # the accept (a local activity: marketplace read and store transaction
    # inside the task); since, it schedules the accept as an activity.
    accepted_in_workflow: int = 0
    slow_tasks_accepting: int = 0
    # Starts that asked for their first task to go straight to the worker
    # that started them (workers/server_metrics.py): the receiver in the
    # worker's process (--receiver-in-worker), and the worker's channel poll.
    eager_start_requests: int = 0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] if ordered else 0.0


class _History(BaseModel):
    workflow_id: str = ""
    workflow_type: str = ""
    tasks_ms: list[float]
    # Which of the workflow's tasks (1: the first) the worker never completed in time.
    timed_out: list[int] = []
    queued_ms: list[float]
    accepted_at: datetime | None
    accepted_in_workflow: bool = False


async def _read_history(client: Client, workflow_id: str) -> _History:
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    return _summarise(workflow_id, history.events)


def _summarise(workflow_id: str, events: Sequence[HistoryEvent]) -> _History:
    tasks, queued, timed_out = [], [], []
    scheduled = started = None
    accepted_at = first_task_done = None
    for event in events:
        at = event.event_time.ToDatetime(tzinfo=UTC)
        kind = event.event_type
        if kind == EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
            scheduled = at
        elif kind == EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED:
            started = at
            if scheduled is not None:
                queued.append((at - scheduled).total_seconds() * 1000)
        elif kind in (
            EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
            EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
            EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
        ):
            if started is not None:
                tasks.append((at - started).total_seconds() * 1000)
            if kind == EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT:
                timed_out.append(len(tasks))
            started = None
            if first_task_done is None and kind == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
                first_task_done = at
        elif accepted_at is None and (
            kind == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
            or event.marker_recorded_event_attributes.marker_name == LOCAL_ACTIVITY_MARKER
        ):
            # The accept is the order's first activity, local or not.
            accepted_at = at
    accepted_in_workflow = _accepted_in_workflow(events)
    if first_task_done is not None and not accepted_in_workflow:
        # Started accepted by the receiver: accepted once its workflow took it on.
        accepted_at = first_task_done
    started_event = events[0].workflow_execution_started_event_attributes if events else None
    workflow_type = started_event.workflow_type.name if started_event is not None else ""
    return _History(
        workflow_id=workflow_id,
        workflow_type=workflow_type,
        tasks_ms=tasks,
        queued_ms=queued,
        accepted_at=accepted_at,
        timed_out=timed_out,
        accepted_in_workflow=accepted_in_workflow,
    )


def _accepted_in_workflow(events: Sequence[HistoryEvent]) -> bool:
    """The order's workflow ran its accept (an order the receiver could not
    accept before starting it): the first workflow task is followed by the
    accept's local activity marker (code version 1) or by the accept
    scheduled as an activity (since code version 2)."""
    for n, event in enumerate(events):
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            following = events[n + 1] if n + 1 < len(events) else None
            return following is not None and (
                following.marker_recorded_event_attributes.marker_name == LOCAL_ACTIVITY_MARKER
                or following.activity_task_scheduled_event_attributes.activity_type.name == ACCEPT_ACTIVITY
            )
    return False


async def run(
    orders: int = 2500,
    workdir: Path | None = None,
    tuning: WorkerTuning | None = None,
    receiver_in_worker: bool = False,
) -> BurstResult:
    """`receiver_in_worker`: the pushes go over HTTP to the worker's own
    receiver (`ordertide worker --webhooks-port`), which starts the orders
    on the worker's client: eagerly. Else to a receiver in this process."""
    owned = workdir is None
    workdir = workdir or Path(tempfile.mkdtemp(prefix="ordertide-burst-"))
    server = metered_server(workdir)
    assert server.metrics_url is not None, "given a metrics port"
    sandbox = _start_sandbox(workdir, "bol", 0.05)
    worker = None
    try:
        await _wait_until_serving(sandbox.url)
        client = await Client.connect(server.address, data_converter=data_converter())
        settings = Settings(
            data_dir=workdir,
            database_url=f"sqlite:///{workdir / 'store.db'}",
            # Orders arrive by push; polling stays the safety net, at a production pace.
            channels={
                "bol": sandbox_channel(sandbox.url, None).model_copy(update={"poll_interval": timedelta(seconds=30)})
            },
            worker=tuning or WorkerTuning(),
            webhooks=UNLIMITED,
        )
        db = Database(settings.store_url)
        db.create_schema()
        inventory = InventoryStore(db)
        products = catalog(10)
        for product in products:
            inventory.upsert_product(product)
            inventory.set_stock(product.sku, 10**6)
        log = workdir / "engine-worker.log"
        env = {"TEMPORAL_ADDRESS": server.address, "ORDERTIDE_DATA_DIR": str(workdir), **settings_env(settings)}
        receiver_port = free_port()
        in_worker = ["--webhooks-port", str(receiver_port)] if receiver_in_worker else []
        worker = _spawn(["-m", "starter.cli", "worker", *in_worker], env, log)

        # The receiver as production runs it, with the store: it accepts a new
        # order before starting it (activities/order_start.py), which then
        # starts AWAITING_PICK. One its accept missed starts RECEIVED and
        # reaches AWAITING_PICK once its workflow accepted it.
        receiver = Engine.build(settings)
        desk = OrderDesk.for_engine(sandbox, receiver, client)
        accepted_query = "WorkflowType = 'OrderWorkflow' AND OrderStatus = 'AWAITING_PICK'"
        # Warm-up: the worker has started, imported and cached its workflows before the burst.
        for n in range(WARMUP):
            await desk.place(products[n % len(products)])
        await desk.aclose()
        await _wait_accepted(client, accepted_query, WARMUP, 120)

        # Placed first, quietly: only the pushes make the burst.
        order_ids = []
        for n in range(orders):
            product = products[n % len(products)]
            item = {"ean": product.ean, "quantity": 1, "unitPrice": str(product.list_price), "title": product.title}
            order_ids.append((await sandbox.post("/_sandbox/orders", {"items": [item]}))["orderId"])
        signed = []
        for order_id in order_ids:
            event = {"resource": "ORDER", "type": "NEW", "resourceId": order_id}
            signed.append(await sandbox.post("/_sandbox/pushes", {"event": event}))

        pushed_at: dict[str, datetime] = {}
        redelivered: list[str] = []
        # A push Temporal could not take in time is answered 503 and logged with
        # its stack; here it is counted instead (`pushes_redelivered`).
        logging.getLogger("workers.webhooks").setLevel(logging.CRITICAL)
        gate = asyncio.Semaphore(DELIVERY_CONCURRENCY)
        if receiver_in_worker:
            await _wait_until_serving(f"http://127.0.0.1:{receiver_port}", "/healthz")
            delivery = httpx.AsyncClient(base_url=f"http://127.0.0.1:{receiver_port}", timeout=120)
        else:
            hooks = create_webhook_app(receiver.intake(client), settings.webhooks)
            delivery = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=hooks), base_url="http://webhooks", timeout=120
            )
        async with delivery as push:

            async def deliver(order_id: str, message: dict) -> None:
                async with gate:
                    pushed_at[order_id] = datetime.now(UTC)
                    while True:
                        answer = await push.post(
                            "/webhooks/bol/bol", content=message["body"], headers=message["headers"]
                        )
                        if answer.status_code != 503:  # bol delivers a refused push again
                            answer.raise_for_status()
                            return
                        redelivered.append(order_id)
                        await asyncio.sleep(1)

            started = time.monotonic()
            await asyncio.gather(*(deliver(o, m) for o, m in zip(order_ids, signed, strict=True)))
            push_seconds = time.monotonic() - started
        await _wait_accepted(client, accepted_query, WARMUP + orders, 1800)
        all_accepted = time.monotonic() - started
        accepted = (await client.count_workflows(accepted_query)).count - WARMUP
        eager = await eager_start_requests(server.metrics_url, settings.task_queue)
        attention = (await client.count_workflows("WorkflowType = 'OrderWorkflow' AND NeedsAttention = true")).count
        await receiver.aclose()

        by_id: dict[str, _History] = {}
        reading = asyncio.Semaphore(20)

        async def read(order_id: str) -> None:
            async with reading:
                # Started AWAITING_PICK: read once its first workflow task ran.
                for _ in range(600):
                    by_id[order_id] = await _read_history(client, order_workflow_id("bol", order_id))
                    if by_id[order_id].accepted_at is not None:
                        return
                    await asyncio.sleep(1)

        await asyncio.gather(*(read(order_id) for order_id in order_ids))
        histories = list(by_id.values())
        async for other in client.list_workflows("WorkflowType != 'OrderWorkflow'"):
            histories.append(await _read_history(client, other.id))
        _stop(worker)
        db.dispose()
        await sandbox.aclose()
    finally:
        if worker is not None and worker.poll() is None:
            _stop(worker)
        sandbox.process.terminate()
        sandbox.process.wait()
        server.stop()
    warnings, gc_notices = worker_warnings(log.read_text(errors="replace").splitlines())
    if owned:
        shutil.rmtree(workdir, ignore_errors=True)
    tasks = [ms for h in histories for ms in h.tasks_ms]
    queued = [ms for h in histories for ms in h.queued_ms]
    latencies = [
        (h.accepted_at - pushed_at[o]).total_seconds() * 1000 for o, h in by_id.items() if h.accepted_at is not None
    ]
    return BurstResult(
        orders=orders,
        accepted=accepted,
        needs_attention=attention,
        push_seconds=round(push_seconds, 2),
        all_accepted_s=round(all_accepted, 2),
        push_to_accepted_p50_ms=round(statistics.median(latencies), 1) if latencies else 0.0,
        push_to_accepted_p99_ms=round(_percentile(latencies, 99), 1),
        push_to_accepted_max_ms=round(max(latencies, default=0.0), 1),
        workflow_tasks=len(tasks),
        workflow_task_p50_ms=round(statistics.median(tasks), 1) if tasks else 0.0,
        workflow_task_p99_ms=round(_percentile(tasks, 99), 1),
        max_workflow_task_ms=round(max(tasks, default=0.0), 1),
        workflow_tasks_over_1s=sum(1 for ms in tasks if ms > SLOW_TASK.total_seconds() * 1000),
        slow_tasks_by_workflow=dict(
            Counter(h.workflow_type for h in histories for ms in h.tasks_ms if ms > SLOW_TASK.total_seconds() * 1000)
        ),
        slow_tasks=[
            f"{h.workflow_id} #{n}"
            for h in histories
            for n, ms in enumerate(h.tasks_ms, start=1)
            if ms > SLOW_TASK.total_seconds() * 1000
        ][:20],
        workflow_task_schedule_to_start_p99_ms=round(_percentile(queued, 99), 1),
        worker_warnings=warnings.total(),
        gc_pause_notices=gc_notices,
        worker_warning_kinds=dict(warnings.most_common(3)),
        pushes_redelivered=len(redelivered),
        eager_start_requests=eager,
        accepted_in_workflow=sum(h.accepted_in_workflow for h in histories),
        slow_tasks_accepting=sum(
            1
            for h in histories
            if h.accepted_in_workflow and h.tasks_ms and h.tasks_ms[0] > SLOW_TASK.total_seconds() * 1000
        ),
        workflow_task_timeouts=[
            f"{h.workflow_id} #{n}" + (" (accepting)" if h.accepted_in_workflow and n == 1 else "")
            for h in histories
            for n in h.timed_out
        ],
    )
