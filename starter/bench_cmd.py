"""`ordertide bench ...`: the numbers the issues name, measured on the
embedded stack. Every benchmark prints a table, or one JSON object with --json."""

import json
import sys
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from starter.console import out, run_async

if TYPE_CHECKING:
    from pydantic import BaseModel

bench_app = typer.Typer(help="Benchmarks on the embedded stack.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="one JSON object")]
ReceiverInWorkerOption = Annotated[
    bool,
    typer.Option(
        "--receiver-in-worker",
        help="push to the worker's own receiver (ordertide worker --webhooks-port): eager starts",
    ),
]


def report(result: "BaseModel", as_json: bool, title: str) -> None:
    if as_json:
        sys.stdout.write(json.dumps(result.model_dump(mode="json")) + "\n")
        return
    table = Table("measure", "value", title=title)
    for key, value in result.model_dump(mode="json").items():
        table.add_row(key, str(value))
    out.print(table)


@bench_app.command("propagation")
@run_async
async def propagation(
    sales: int = 500,
    rate: Annotated[float, typer.Option(help="sales per second")] = 5.0,
    skus: int = 50,
    window_ms: Annotated[int, typer.Option(help="offer-sync coalescing window")] = 250,
    price_skus: Annotated[int, typer.Option(help="SKUs in the price-change run (0: skip)")] = 2000,
    poll_ms: Annotated[int, typer.Option(help="intake poll interval (sales arrive by push)")] = 10_000,
    as_json: JsonOption = False,
) -> None:
    """Sale on one channel → stock update accepted by the other bol channels and Kaufland (p50/p95/p99)."""
    from starter.bench import propagation as bench

    result = await bench.run(
        sales=sales,
        rate=rate,
        skus=skus,
        window=timedelta(milliseconds=window_ms),
        price_skus=price_skus,
        poll_interval=timedelta(milliseconds=poll_ms),
    )
    report(result, as_json, "stock propagation across 3 bol channels and a Kaufland one")


@bench_app.command("throughput")
@run_async
async def throughput(
    orders: int = 1000,
    warmup: Annotated[int, typer.Option(help="orders run first, not measured")] = 20,
    runs: Annotated[int, typer.Option(min=1, help="runs on a fresh stack each; the median one is reported")] = 3,
    receiver_in_worker: ReceiverInWorkerOption = False,
    arrivals: Annotated[
        int, typer.Option(min=1, help="orders arriving at once on either side; 1: one after the other")
    ] = 1,
    as_json: JsonOption = False,
) -> None:
    """Orders/s through the whole lifecycle, against a no-op step-by-step baseline on the same server."""
    from starter.bench import throughput as bench

    result = await bench.median_run(
        runs=runs, orders=orders, warmup=warmup, receiver_in_worker=receiver_in_worker, arrivals=arrivals
    )
    if as_json:
        report(result, True, "")
        return
    title = f"throughput, {orders} orders" + (f", the median of {runs} runs" if runs > 1 else "")
    if arrivals > 1:
        title += f", {arrivals} arriving at once"
    table = Table("measure", "engine", "baseline", title=title)
    for key in (
        "orders_per_s",
        "activities_per_s",
        "activities_per_order",
        "events_per_order",
        "actions_per_order",
        "server_cpu_s_per_order",
        "worker_cpu_s_per_order",
        "sandbox_cpu_s_per_order",
        "driver_cpu_s_per_order",
        "seconds",
    ):
        table.add_row(key, str(getattr(result.engine, key)), str(getattr(result.baseline, key)))
    kinds = dict.fromkeys([*result.actions_by_kind, *result.baseline_actions_by_kind])
    for kind in kinds:
        table.add_row(
            f"  actions: {kind}",
            str(result.actions_by_kind.get(kind, 0)),
            str(result.baseline_actions_by_kind.get(kind, 0)),
        )
    table.add_row("histories sampled", str(result.engine.histories_sampled), str(result.baseline.histories_sampled))
    table.add_row("eager start requests", str(result.eager_start_requests), "")
    table.add_row("ratio engine/baseline", str(result.ratio), "")
    if runs > 1:
        table.add_row("  every run's ratio", " / ".join(map(str, result.ratios)), "")
    table.add_row("dev server + worker CPU per order, baseline/engine", str(result.server_and_worker_cpu_ratio), "")
    out.print(table)


@bench_app.command("burst")
@run_async
async def burst(
    orders: Annotated[int, typer.Option(help="orders whose pushes arrive at once")] = 2500,
    workflow_tasks: Annotated[
        int | None, typer.Option(help="the worker's max_concurrent_workflow_tasks (and local activities)")
    ] = None,
    receiver_in_worker: ReceiverInWorkerOption = False,
    as_json: JsonOption = False,
) -> None:
    """Orders arriving at once: the longest workflow task and push → accepted (p50/p99)."""
    from starter.bench import burst as bench
    from workers.settings import WorkerTuning

    tuning = WorkerTuning()
    if workflow_tasks is not None:
        tuning = tuning.model_copy(
            update={"max_concurrent_workflow_tasks": workflow_tasks, "max_concurrent_local_activities": workflow_tasks}
        )
    result = await bench.run(orders=orders, tuning=tuning, receiver_in_worker=receiver_in_worker)
    report(result, as_json, f"burst of {orders} orders")


@bench_app.command("server-costs")
@run_async
async def server_costs(
    operations: Annotated[int, typer.Option(help="runs of each operation")] = 300,
    as_json: JsonOption = False,
) -> None:
    """What each kind of Temporal operation an order uses costs the embedded server: CPU and database requests."""
    from starter.bench import server_costs as bench

    result = await bench.run(operations=operations)
    if as_json:
        report(result, True, "")
        return
    table = Table(
        "operation",
        "server CPU ms",
        "database requests",
        "search-attribute reads",
        "frontend requests",
        "tasks queued",
        title=f"what the server spends per operation ({operations} of each)",
    )
    for cost in result.costs:
        table.add_row(
            cost.operation,
            str(cost.server_cpu_ms),
            str(cost.database_requests),
            str(cost.search_attribute_reads),
            str(cost.frontend_requests),
            str(cost.workflow_tasks_queued),
        )
    out.print(table)


@bench_app.command("memory")
@run_async
async def memory(
    orders: int = 10_000,
    cache: Annotated[int, typer.Option(help="worker max_cached_workflows")] = 1000,
    as_json: JsonOption = False,
) -> None:
    """Worker RSS with many orders parked in their return window."""
    from starter.bench import memory as bench

    report(await bench.run(orders=orders, cache=cache), as_json, f"worker memory, {orders} parked orders")


@bench_app.command("all")
def all_benchmarks() -> None:
    """Every benchmark, one after the other (make bench)."""
    import subprocess

    for name in ("propagation", "throughput", "burst", "memory", "server-costs"):
        subprocess.run([sys.executable, "-m", "starter.cli", "bench", name], check=True)
