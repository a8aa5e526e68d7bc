"""`ordertide bench server-costs`: what each kind of Temporal operation an
order uses costs the server, in its CPU and in its database requests, on the
embedded dev server run as `ordertide run` runs it. Temporal Cloud bills
actions; a self-hosted server pays in CPU, and the two differ: a start that
carries an order's search attributes is one action either way, and a
visibility query is one request whatever it returns, yet the server's work
grows with the attributes written and the rows read.

Each operation runs `operations` times, 20 at a time, against a worker in
this process; the server's CPU over a run, less what it spends idle, is
divided by the count."""

import asyncio
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel
from temporalio.client import Client
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.worker import Worker

from activities.order_start import start_pairs
from domain import names
from domain.order.status import OrderStatus
from starter.bench.probe import TASK_QUEUE, ProbeInput, ServerCostProbe
from starter.bench.stack import cpu_seconds, metered_server
from workers.server_metrics import REPORTED_WITHIN, frontend_requests, persistence_requests, service_requests
from workers.temporal_client import data_converter

IN_FLIGHT = 20
LISTED_ROWS = 20
# The server reads the search attributes' definitions from its database
# (cluster metadata) for every write and every row it lists that carries
# custom ones: the dev server refreshes that cache on each read.
SEARCH_ATTRIBUTE_READS = "GetCurrentClusterMetadata"


class OperationCost(BaseModel):
    operation: str
    server_cpu_ms: float
    database_requests: float
    search_attribute_reads: float
    frontend_requests: float
    # Requests the matching service handled (AddWorkflowTask and the polls); an eager start has none for its first task.
    workflow_tasks_queued: float


class ServerCostsResult(BaseModel):
    operations: int
    costs: list[OperationCost]


def _order_attributes(n: int) -> TypedSearchAttributes:
    """What intake gives an accepted order at its start (activities/order_start.py)."""
    pairs = start_pairs("bol", f"B{n:09d}", OrderStatus.AWAITING_PICK)
    ship_by = datetime(2026, 12, 7, 17, tzinfo=UTC)
    return TypedSearchAttributes([*pairs, SearchAttributePair(names.SHIP_BY, ship_by)])


async def run(operations: int = 300) -> ServerCostsResult:
    workdir = Path(tempfile.mkdtemp(prefix="ordertide-server-costs-"))
    server = metered_server(workdir)
    assert server.metrics_url is not None and server.pid is not None, "started with a metrics port"
    metrics_url, server_pid = server.metrics_url, server.pid
    try:
        client = await Client.connect(server.address, data_converter=data_converter())
        in_flight = asyncio.Semaphore(IN_FLIGHT)
        started = 0

        def sequence(
            waits_for: str = "plain", attributes: bool = False, eager: bool = False
        ) -> Callable[[], Awaitable[None]]:
            async def one() -> None:
                nonlocal started
                started += 1
                n = started
                async with in_flight:
                    handle = await client.start_workflow(
                        ServerCostProbe.run,
                        ProbeInput(waits_for=waits_for),
                        id=f"probe-{n}",
                        task_queue=TASK_QUEUE,
                        search_attributes=_order_attributes(n) if attributes else None,
                        request_eager_start=eager,
                    )
                    if waits_for == "signal":
                        await handle.signal(ServerCostProbe.release)
                    elif waits_for == "update":
                        await handle.execute_update(ServerCostProbe.release_now)
                    await handle.result()

            return one

        # The orders started with their attributes (before the lists) are there to list.
        listed_rows = min(LISTED_ROWS, operations)

        async def listed() -> None:
            async with in_flight:
                query = f"{names.ORDER_STATUS.name} = '{OrderStatus.AWAITING_PICK.value}'"
                rows = [wf async for wf in client.list_workflows(query, limit=listed_rows, page_size=listed_rows)]
                if len(rows) != listed_rows:
                    raise RuntimeError(f"listed {len(rows)} orders, not {listed_rows}")

        async def counted() -> None:
            async with in_flight:
                await client.count_workflows(f"{names.ORDER_STATUS.name} = '{OrderStatus.AWAITING_PICK.value}'")

        kinds: list[tuple[str, Callable[[], Awaitable[None]]]] = [
            ("start, done in its first task", sequence()),
            ("the same, with an order's search attributes", sequence(attributes=True)),
            ("the same, started eagerly", sequence(eager=True)),
            ("start, one search-attribute upsert", sequence("upsert")),
            ("start, a signal", sequence("signal")),
            ("start, an update", sequence("update")),
            (f"list {listed_rows} orders by status", listed),
            ("count orders by status", counted),
        ]
        async with Worker(client, task_queue=TASK_QUEUE, workflows=[ServerCostProbe]):
            idle_per_s = await _idle_cpu_rate(server_pid)
            costs = [await _measure(name, op, operations, server_pid, metrics_url, idle_per_s) for name, op in kinds]
        return ServerCostsResult(operations=operations, costs=costs)
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


async def _idle_cpu_rate(pid: int) -> float:
    before, started = cpu_seconds(pid), time.monotonic()
    await asyncio.sleep(REPORTED_WITHIN)
    return (cpu_seconds(pid) - before) / (time.monotonic() - started)


async def _measure(
    name: str, op: Callable[[], Awaitable[None]], count: int, pid: int, metrics_url: str, idle_per_s: float
) -> OperationCost:
    database, frontend, matching = await _requests(metrics_url)
    cpu, started = cpu_seconds(pid), time.monotonic()
    await asyncio.gather(*(op() for _ in range(count)))
    # What the server finishes after answering (visibility records, task acks) is the operation's too.
    database_after, frontend_after, matching_after = await _requests(metrics_url, settle=True)
    busy = cpu_seconds(pid) - cpu - idle_per_s * (time.monotonic() - started)

    def per_op(after: Counter[str], before: Counter[str], operation: str | None = None) -> float:
        if operation is not None:
            return round((after[operation] - before[operation]) / count, 2)
        return round((sum(after.values()) - sum(before.values())) / count, 2)

    return OperationCost(
        operation=name,
        server_cpu_ms=round(max(busy, 0.0) * 1000 / count, 2),
        database_requests=per_op(database_after, database),
        search_attribute_reads=per_op(database_after, database, SEARCH_ATTRIBUTE_READS),
        frontend_requests=per_op(frontend_after, frontend),
        workflow_tasks_queued=per_op(matching_after, matching, "AddWorkflowTask"),
    )


async def _requests(metrics_url: str, settle: bool = False) -> tuple[Counter[str], Counter[str], Counter[str]]:
    database = await persistence_requests(metrics_url, settle)
    return database, await frontend_requests(metrics_url), await service_requests(metrics_url, "matching")
