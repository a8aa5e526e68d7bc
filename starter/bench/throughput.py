"""`ordertide bench throughput`: N orders through the whole lifecycle
(intake → accept → pick → transporter → ship confirmed → return window
passed) against the bol sandbox on the embedded dev server, and in the same
run the step-by-step baseline (see baseline.py) on the same server. Each
worker runs in a process of its own, so its CPU time is its own."""

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from pydantic import BaseModel, computed_field
from temporalio.client import Client

from activities.store import Database, InventoryStore
from starter.bench.baseline import BASELINE_WORKFLOW, TASK_QUEUE
from starter.bench.order_desk import OrderDesk
from starter.bench.stack import (
    _start_sandbox,
    _wait_until_serving,
    catalog,
    cpu_seconds,
    free_port,
    metered_server,
)
from starter.run_cmd import sandbox_channel
from starter.simulators import WarehouseSimulator
from workers.actions import ActionCount, count_actions
from workers.server_metrics import eager_start_requests, frontend_requests, unrecorded_actions
from workers.settings import Settings, WorkerTuning, settings_env
from workers.temporal_client import data_converter
from workers.worker import Engine

RETURN_WINDOW = timedelta(seconds=2)
LOCAL_ACTIVITY_MARKER = "core_local_activity"  # `workflow.patched` records "core_patch" markers
# Histories fetched after a run for events, activities and billable actions per order.
HISTORY_SAMPLE = 50


class RunFigures(BaseModel):
    orders: int
    seconds: float
    orders_per_s: float
    activities_per_s: float
    activities_per_order: float
    events_per_order: float
    server_cpu_s_per_order: float
    worker_cpu_s_per_order: float
    # Temporal Cloud billable actions per order (workers/actions.py), from the
    # histories of a sample of the run's finished workflows, plus the
    # heartbeats and queries the server received during the run, per order
    # (workers/server_metrics.py: no history records them).
    actions_per_order: float = 0.0
    actions_by_kind: dict[str, float] = {}
    histories_sampled: int = 0
    # The rest of the machine's two cores: the marketplace sandbox and this
    # driver (placing orders, pushing, the warehouse), which the engine shares.
    sandbox_cpu_s_per_order: float = 0.0
    driver_cpu_s_per_order: float = 0.0
    # The most orders this side was handed at once (starts, pushes): the
    # run's `arrivals` once its orders overlap.
    most_in_flight: int = 0


class ThroughputResult(BaseModel):
    orders: int
    # Every run's ratio, one after the other, each on a fresh stack; every
    # other figure here is the median run's (by ratio).
    ratios: list[float] = []
    receiver_in_worker: bool = False
    # Orders that arrive at once, on both sides (`run`).
    arrivals: int = 1
    # Starts on the engine's task queue (warm-up included) that asked for
    # their first task to go straight to the worker's own process
    # (workers/server_metrics.py): the worker's receiver asks at each push;
    # its channel poll asks for the open orders it finds, most of them
    # already running (the push started them), which get no task.
    eager_start_requests: int = 0
    orders_per_s: float
    baseline_orders_per_s: float
    ratio: float
    events_per_order: float
    baseline_events_per_order: float
    activities_per_s: float
    server_cpu_s_per_order: float
    worker_cpu_s_per_order: float
    baseline_server_cpu_s_per_order: float
    baseline_worker_cpu_s_per_order: float
    actions_per_order: float
    baseline_actions_per_order: float
    actions_by_kind: dict[str, float]
    baseline_actions_by_kind: dict[str, float]
    engine: RunFigures
    baseline: RunFigures

    @computed_field  # type: ignore[prop-decorator]
    @property
    def runs(self) -> int:
        return len(self.ratios)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def server_and_worker_cpu_ratio(self) -> float:
        """The baseline's CPU per order in the dev server and its worker over
        the engine's (the median run's): how the two compare on Temporal's
        side alone, without the receiver, the simulators and bol's sandbox
        that share the machine. The engine's worker also runs its real
        commands (the shipment and its store writes). Above 1: the engine
        costs less."""
        engine = self.engine.server_cpu_s_per_order + self.engine.worker_cpu_s_per_order
        baseline = self.baseline.server_cpu_s_per_order + self.baseline.worker_cpu_s_per_order
        return round(baseline / engine, 3) if engine else 0.0


async def _count(client: Client, query: str) -> int:
    return (await client.count_workflows(query)).count


async def _wait_count(client: Client, query: str, target: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while await _count(client, query) < target:
        if time.monotonic() > deadline:
            raise TimeoutError(f"only {await _count(client, query)} of {target} done after {timeout:.0f}s: {query}")
        await asyncio.sleep(0.5)


class HistoryFigures(BaseModel):
    """Per workflow, averaged over the sampled histories."""

    sampled: int
    events: float
    activities: float
    actions: float
    actions_by_kind: dict[str, float]


async def _history_figures(client: Client, query: str, sample: int = HISTORY_SAMPLE) -> HistoryFigures:
    """Events, activities (local ones included) and billable actions per
    workflow, over the histories of up to `sample` workflows the query finds."""
    events = activities = 0
    actions = ActionCount()
    seen = 0
    async for wf in client.list_workflows(query, limit=sample):
        history = await client.get_workflow_handle(wf.id, run_id=wf.run_id).fetch_history()
        events += len(history.events)
        activities += sum(
            1
            for e in history.events
            if e.HasField("activity_task_scheduled_event_attributes")
            or e.marker_recorded_event_attributes.marker_name == LOCAL_ACTIVITY_MARKER
        )
        actions = actions + count_actions(history)
        seen += 1
    return HistoryFigures(
        sampled=seen,
        events=events / seen,
        activities=activities / seen,
        actions=actions.total / seen,
        actions_by_kind={kind: round(n / seen, 2) for kind, n in actions.breakdown().items()},
    )


def _spawn(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = open(log, "ab")  # noqa: SIM115 - owned by the process
    return subprocess.Popen([sys.executable, *args], env={**os.environ, **env}, stdout=handle, stderr=handle)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()


async def _overlapping(count: int, arrivals: int, one: Callable[[int], Awaitable[None]]) -> int:
    """`one(n)` for n in range(count), `arrivals` of them at a time, each as
    soon as one before it is done; the most that were running at once. The
    first failure stops the rest: a run with a lost order measures nothing."""
    numbers = iter(range(count))
    running = most = 0

    async def lane() -> None:
        nonlocal running, most
        for n in numbers:
            running += 1
            most = max(most, running)
            try:
                await one(n)
            finally:
                running -= 1

    lanes = [asyncio.ensure_future(lane()) for _ in range(arrivals)]
    try:
        await asyncio.gather(*lanes)
    finally:
        for running_lane in lanes:
            running_lane.cancel()
    return most


async def _measure(
    run: Callable[[], Awaitable[int]], pids: dict[str, int], metrics_url: str
) -> tuple[int, float, dict[str, float], ActionCount]:
    """What `run()` returns, its wall seconds, the CPU seconds each process
    spent in it (`driver` is this process), and the heartbeats and queries
    the server received meanwhile (billed, but in no history)."""
    requests = await frontend_requests(metrics_url)
    before = {name: cpu_seconds(pid) for name, pid in pids.items()} | {"driver": cpu_seconds()}
    started = time.monotonic()
    returned = await run()
    seconds = time.monotonic() - started
    after = {name: cpu_seconds(pid) for name, pid in pids.items()} | {"driver": cpu_seconds()}
    unrecorded = unrecorded_actions(requests, await frontend_requests(metrics_url, settle=True))
    return returned, seconds, {name: after[name] - before[name] for name in before}, unrecorded


async def run(
    orders: int = 1000,
    warmup: int = 20,
    workdir: Path | None = None,
    receiver_in_worker: bool = False,
    arrivals: int = 1,
) -> ThroughputResult:
    """`receiver_in_worker`: the pushes go to the worker's own receiver
    (`ordertide worker --webhooks-port`), which starts the orders eagerly;
    else to a receiver in this process, as production's webhooks service.

    `arrivals`: how many orders arrive at once on either side (a start, or
    an order placed and its push delivered), each as soon as one before it
    is handed over. One measures how fast orders are handed over one after
    the other; more measure what the stack can do with every core busy
    (docs/benchmarks.md: the ratio is about the same)."""
    owned = workdir is None  # removed after a successful run; a failed one keeps its logs
    workdir = workdir or Path(tempfile.mkdtemp(prefix="ordertide-throughput-"))
    server = metered_server(workdir)
    assert server.metrics_url is not None, "given a metrics port"
    metrics_url = server.metrics_url
    server_pid = server.pid
    assert server_pid is not None, "start() returned: the server runs"
    sandbox = _start_sandbox(workdir, "bol", 0.05)
    processes: list[subprocess.Popen[bytes]] = []

    def measured() -> dict[str, int]:
        """The processes whose CPU a run accounts for; the worker is the one started last."""
        return {"server": server_pid, "worker": processes[-1].pid, "sandbox": sandbox.process.pid}

    try:
        await _wait_until_serving(sandbox.url)
        client = await Client.connect(server.address, data_converter=data_converter())
        base_env = {"TEMPORAL_ADDRESS": server.address, "ORDERTIDE_DATA_DIR": str(workdir)}

        # Baseline: started by the client with the "picked" signal, as eager as it gets.
        worker = _spawn(["-m", "starter.bench.baseline_worker"], base_env, workdir / "baseline-worker.log")
        processes.append(worker)

        async def baseline_batch(count: int, prefix: str) -> int:
            async def start(n: int) -> None:
                await client.start_workflow(
                    BASELINE_WORKFLOW,
                    RETURN_WINDOW.total_seconds(),
                    id=f"{prefix}-{n}",
                    task_queue=TASK_QUEUE,
                    start_signal="picked",
                )

            most = await _overlapping(count, arrivals, start)
            await _wait_count(
                client, f"WorkflowId STARTS_WITH '{prefix}-' AND ExecutionStatus = 'Completed'", count, 600
            )
            return most

        await baseline_batch(warmup, "warmup")
        most, seconds, cpu, unrecorded = await _measure(
            lambda: baseline_batch(orders, "baseline"), measured(), metrics_url
        )
        histories = await _history_figures(client, "WorkflowId STARTS_WITH 'baseline-'")
        baseline = _figures(orders, seconds, cpu, histories, unrecorded, most)
        _stop(worker)

        # The engine: a real worker process, intake polling the sandbox, a warehouse picking.
        settings = Settings(
            data_dir=workdir,
            database_url=f"sqlite:///{workdir / 'store.db'}",
            # Orders arrive by push (the driver plays bol's part, as in
            # production with an ORDER subscription); polling is the safety net.
            channels={
                "bol": sandbox_channel(sandbox.url, RETURN_WINDOW).model_copy(
                    update={"poll_interval": timedelta(seconds=10), "offer_sync": False}
                )
            },
            worker=WorkerTuning(),
        )
        db = Database(settings.store_url)
        db.create_schema()
        inventory = InventoryStore(db)
        products = catalog(10)
        for product in products:
            inventory.upsert_product(product)
            inventory.set_stock(product.sku, 10**9)
        receiver_port = free_port()
        in_worker = ["--webhooks-port", str(receiver_port)] if receiver_in_worker else []
        worker = _spawn(
            ["-m", "starter.cli", "worker", *in_worker],
            {**base_env, **settings_env(settings)},
            workdir / "engine-worker.log",
        )
        processes.append(worker)
        stop = asyncio.Event()
        warehouse = asyncio.create_task(
            WarehouseSimulator(client, inventory, pick_delay=timedelta(0)).run(stop, every=0.5)
        )
        placed = 0

        receiver = None
        if receiver_in_worker:
            receiver_url = f"http://127.0.0.1:{receiver_port}"
            await _wait_until_serving(receiver_url, "/healthz")
            desk = OrderDesk.for_worker_receiver(sandbox, receiver_url)
        else:
            receiver = Engine.build(settings)
            desk = OrderDesk.for_engine(sandbox, receiver, client)

        closed = "WorkflowType = 'OrderWorkflow' AND OrderStatus = 'CLOSED'"

        async def engine_batch(count: int) -> int:
            nonlocal placed

            async def place(n: int) -> None:
                await desk.place(products[n % len(products)])

            most = await _overlapping(count, arrivals, place)
            placed += count
            await _wait_count(client, closed, placed, 900)
            return most

        await engine_batch(warmup)
        most, seconds, cpu, unrecorded = await _measure(lambda: engine_batch(orders), measured(), metrics_url)
        engine = _figures(orders, seconds, cpu, await _history_figures(client, closed), unrecorded, most)
        eager = await eager_start_requests(metrics_url, settings.task_queue)
        stop.set()
        await warehouse
        await desk.aclose()
        if receiver is not None:
            await receiver.aclose()
        await sandbox.aclose()
        db.dispose()
    finally:
        for process in processes:
            if process.poll() is None:
                _stop(process)
        sandbox.process.terminate()
        sandbox.process.wait()
        server.stop()
    if owned:
        shutil.rmtree(workdir, ignore_errors=True)
    ratio = round(engine.orders_per_s / baseline.orders_per_s, 3)
    return ThroughputResult(
        orders=orders,
        ratios=[ratio],
        receiver_in_worker=receiver_in_worker,
        arrivals=arrivals,
        eager_start_requests=eager,
        orders_per_s=engine.orders_per_s,
        baseline_orders_per_s=baseline.orders_per_s,
        ratio=ratio,
        events_per_order=engine.events_per_order,
        baseline_events_per_order=baseline.events_per_order,
        activities_per_s=engine.activities_per_s,
        server_cpu_s_per_order=engine.server_cpu_s_per_order,
        worker_cpu_s_per_order=engine.worker_cpu_s_per_order,
        baseline_server_cpu_s_per_order=baseline.server_cpu_s_per_order,
        baseline_worker_cpu_s_per_order=baseline.worker_cpu_s_per_order,
        actions_per_order=engine.actions_per_order,
        baseline_actions_per_order=baseline.actions_per_order,
        actions_by_kind=engine.actions_by_kind,
        baseline_actions_by_kind=baseline.actions_by_kind,
        engine=engine,
        baseline=baseline,
    )


async def median_run(
    runs: int = 3, orders: int = 1000, warmup: int = 20, receiver_in_worker: bool = False, arrivals: int = 1
) -> ThroughputResult:
    """`runs` runs of `run()`: the median one by ratio (the lower of the two
    middle ones for an even count), with every run's ratio. One run of the
    engine beside the baseline is as noisy as the machine; the goal is the
    median of three."""
    results = [
        await run(orders=orders, warmup=warmup, receiver_in_worker=receiver_in_worker, arrivals=arrivals)
        for _ in range(runs)
    ]
    ratios = [result.ratio for result in results]
    median = statistics.median_low(ratios)
    chosen = next(result for result in results if result.ratio == median)
    return chosen.model_copy(update={"ratios": ratios})


def _figures(
    orders: int,
    seconds: float,
    cpu: dict[str, float],
    history: HistoryFigures,
    unrecorded: ActionCount,
    most_in_flight: int,
) -> RunFigures:
    """`unrecorded`: the whole run's heartbeats and queries, spread over its orders."""
    by_kind = dict(history.actions_by_kind)
    for kind, n in unrecorded.breakdown().items():
        by_kind[kind] = round(n / orders, 3)  # a few in a thousand orders still show
    return RunFigures(
        orders=orders,
        seconds=round(seconds, 2),
        orders_per_s=round(orders / seconds, 2),
        activities_per_s=round(orders * history.activities / seconds, 1),
        activities_per_order=round(history.activities, 2),
        events_per_order=round(history.events, 1),
        server_cpu_s_per_order=round(cpu["server"] / orders, 4),
        worker_cpu_s_per_order=round(cpu["worker"] / orders, 4),
        actions_per_order=round(history.actions + unrecorded.total / orders, 2),
        actions_by_kind=by_kind,
        histories_sampled=history.sampled,
        sandbox_cpu_s_per_order=round(cpu["sandbox"] / orders, 4),
        driver_cpu_s_per_order=round(cpu["driver"] / orders, 4),
        most_in_flight=most_in_flight,
    )
