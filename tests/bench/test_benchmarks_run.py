"""The benchmarks keep working: each runs end to end at a small size and
prints the JSON that scripts read. The figures themselves come from full-size
runs (`make bench`), never from a timed test."""

import asyncio
import json
import os
import signal
import sys
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.cli.test_cli import ordertide


async def bench(*args: str) -> dict:
    code, out, err = await ordertide("bench", *args, "--json", env={**os.environ})
    assert code == 0, err[-2000:]
    return json.loads(out)


class BenchInBackground:
    """`ordertide bench ... --json` running while other tests run."""

    def __init__(self, process: asyncio.subprocess.Process):
        self.process = process
        self.output = asyncio.ensure_future(process.communicate())

    @classmethod
    async def start(cls, *args: str) -> "BenchInBackground":
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "starter.cli", "bench", *args, "--json"),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ},
        )
        return cls(process)

    async def result(self) -> dict:
        out, err = await self.output
        assert self.process.returncode == 0, err.decode()[-2000:]
        return json.loads(out)

    async def stop(self) -> None:
        """Not awaited by a test (deselected): interrupt it, so it stops
        the dev server and sandbox it started."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(asyncio.shield(self.output), timeout=30)
            except TimeoutError:
                self.process.kill()
        await asyncio.gather(self.output, return_exceptions=True)


@pytest_asyncio.fixture(scope="module")
async def memory_run() -> AsyncIterator[BenchInBackground]:
    """The memory benchmark spends most of its time in fixed pauses (it lets
    the worker settle before each reading): it runs in the background while
    the throughput benchmark runs, and its test collects the result."""
    run = await BenchInBackground.start("memory", "--orders", "40", "--cache", "10")
    yield run
    await run.stop()


@pytest_asyncio.fixture(scope="module")
async def burst_run() -> AsyncIterator[BenchInBackground]:
    """Mostly start-up (a dev server, a sandbox, a worker process): it runs
    beside the throughput benchmark too."""
    # Pushed to the worker's own receiver, as `ordertide worker --webhooks-port`
    # runs it (the other benchmarks push to a receiver in their own process).
    run = await BenchInBackground.start("burst", "--orders", "20", "--receiver-in-worker")
    yield run
    await run.stop()


async def test_throughput_runs_the_engine_and_the_baseline(memory_run, burst_run):
    result = await bench("throughput", "--orders", "15", "--warmup", "2", "--runs", "1")
    assert result["orders"] == 15
    assert result["runs"] == 1 and result["ratios"] == [result["ratio"]]
    # One after the other, by default, on both sides.
    assert result["arrivals"] == 1
    assert result["engine"]["most_in_flight"] == result["baseline"]["most_in_flight"] == 1
    assert result["orders_per_s"] > 0 and result["baseline_orders_per_s"] > 0
    assert result["ratio"] == round(result["orders_per_s"] / result["baseline_orders_per_s"], 3)
    # Temporal's side alone, side by side: the dev server's and each worker's CPU per order.
    engine, baseline = result["engine"], result["baseline"]
    assert result["server_and_worker_cpu_ratio"] == round(
        (baseline["server_cpu_s_per_order"] + baseline["worker_cpu_s_per_order"])
        / (engine["server_cpu_s_per_order"] + engine["worker_cpu_s_per_order"]),
        3,
    )
    # The engine's history has the real lifecycle: the order accepted by the
    # receiver before its start (issue 12), the shipment (choosing its
    # transporter) as an activity, the pick, the timer.
    assert result["engine"]["activities_per_order"] == 1
    assert "marker_workflow_task" not in result["actions_by_kind"]
    assert result["baseline"]["activities_per_order"] == 4
    for who in ("server", "worker"):
        assert result[f"{who}_cpu_s_per_order"] > 0
    # Billable actions (issue 12), from the run's histories: the baseline is
    # signal-with-start (one action), four activities and the return-window timer.
    print("actions per order:", result["actions_per_order"], result["actions_by_kind"])
    print("baseline actions per order:", result["baseline_actions_per_order"], result["baseline_actions_by_kind"])
    assert result["baseline_actions_by_kind"] == {"signal_with_start": 1, "timer": 1, "activity_attempt": 4}
    assert result["baseline_actions_per_order"] == 6
    assert result["baseline"]["histories_sampled"] == 15
    assert result["engine"]["histories_sampled"] == 17  # the warm-up orders are closed orders too
    assert result["actions_by_kind"]["start"] == 1
    assert result["actions_by_kind"]["update"] >= 1  # the pick
    assert result["actions_per_order"] == pytest.approx(sum(result["actions_by_kind"].values()), abs=0.05)


async def test_throughput_reports_the_median_of_its_runs():
    """The goal is the median of three runs: the benchmark runs them itself."""
    result = await bench("throughput", "--orders", "4", "--warmup", "1", "--runs", "3")
    assert result["runs"] == 3 and len(result["ratios"]) == 3
    assert result["ratio"] == sorted(result["ratios"])[1]
    # Every other figure is the median run's own.
    assert result["ratio"] == round(result["orders_per_s"] / result["baseline_orders_per_s"], 3)


async def test_throughput_hands_both_sides_their_orders_several_at_once():
    """One after the other measures how fast an order is handed over; with
    several arriving at once the stack runs with every core busy, and the
    baseline gets its orders the same way (a fair comparison)."""
    result = await bench("throughput", "--orders", "9", "--warmup", "1", "--runs", "1", "--arrivals", "3")
    assert result["arrivals"] == 3
    assert result["engine"]["most_in_flight"] == 3
    assert result["baseline"]["most_in_flight"] == 3
    assert result["engine"]["histories_sampled"] == 10  # every order closed, the warm-up's too


async def test_memory_parks_orders_in_their_return_window(memory_run):
    result = await memory_run.result()
    assert result["orders"] == 40
    assert [s["parked"] for s in result["samples"]] == [10, 20, 30, 40]
    assert 50 < result["rss_mb"] < 500


async def test_propagation_reports_latency_and_coalescing():
    result = await bench("propagation", "--sales", "20", "--rate", "10", "--skus", "5", "--price-skus", "20")
    assert result["sales"] == 20
    assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"]
    assert result["window_ms"] == 250
    assert 0 < result["stock_calls_per_1000_changes"] <= 1000
    assert result["max_stock_calls_per_offer_per_window"] <= 1
    # A Kaufland channel and a Plaza one share the stock: their figures are reported apart.
    assert set(result["per_marketplace"]) == {"bol", "kaufland", "plaza"}
    assert 0 < result["per_marketplace"]["kaufland"]["p50_ms"] <= result["per_marketplace"]["kaufland"]["p99_ms"]
    assert 0 < result["per_marketplace"]["plaza"]["p50_ms"] <= result["per_marketplace"]["plaza"]["p99_ms"]
    assert result["per_channel"]["bol-plaza"] == result["per_marketplace"]["plaza"]
    assert result["kaufland_amount_calls"] > 0
    # Five channels' offer syncs: their rounds' activities are counted, and
    # the rounds waiting for sales share one timer per run.
    kinds = result["offer_sync_actions_by_kind"]
    assert kinds["activity_attempt"] >= 5
    assert result["offer_sync_actions_per_sale"] == round(sum(kinds.values()) / 20, 2)
    runs = kinds.get("start", 0) + kinds.get("signal_with_start", 0)
    assert runs >= 5 and kinds.get("timer", 0) <= runs
    assert "marker_workflow_task" not in kinds  # the code version is in the input: no patch
    # The sales reach rounds that listen, through the store: a signal only
    # where none listens (one per channel per sale, 100 here, before).
    assert kinds.get("signal", 0) < result["sales"]
    # Heartbeats are read off the server: rounds end within seconds and send
    # none (each sent one, 3.65 per sale here, while they beat as they
    # started); only intake's long poll may beat in the window, at most every 24 s.
    assert result["heartbeats_per_sale"] < 0.5


async def test_burst_reports_task_durations_and_push_to_accepted(burst_run):
    result = await burst_run.result()
    assert (result["orders"], result["accepted"], result["needs_attention"]) == (20, 20, 0)
    # Every order's history was read: at least its first task and its accept.
    assert result["workflow_tasks"] >= 20
    assert 0 < result["workflow_task_p50_ms"] <= result["max_workflow_task_ms"]
    assert 0 < result["push_to_accepted_p50_ms"] <= result["push_to_accepted_p99_ms"]
    # Started on the worker's own client: the first tasks went straight to it.
    assert result["eager_start_requests"] > 0


async def test_server_costs_price_each_operation_an_order_uses():
    result = await bench("server-costs", "--operations", "5")
    costs = {cost["operation"]: cost for cost in result["costs"]}
    assert result["operations"] == 5 and len(costs) == 8
    plain = costs["start, done in its first task"]
    with_attributes = costs["the same, with an order's search attributes"]
    eager = costs["the same, started eagerly"]
    # An eager start hands its first task to the starting worker: nothing is queued.
    assert plain["workflow_tasks_queued"] == 1 and eager["workflow_tasks_queued"] == 0
    # Custom search attributes make the server read their definitions again:
    # at the start and when it records the closed workflow.
    assert with_attributes["search_attribute_reads"] > plain["search_attribute_reads"]
    # A list reads them for every row it returns.
    assert costs["list 5 orders by status"]["search_attribute_reads"] >= 5
    assert all(cost["server_cpu_ms"] >= 0 for cost in costs.values())
    assert plain["server_cpu_ms"] > 0


async def test_throughput_pushes_to_the_worker_s_own_receiver():
    result = await bench("throughput", "--orders", "8", "--warmup", "2", "--runs", "1", "--receiver-in-worker")
    assert result["receiver_in_worker"] is True
    assert result["orders_per_s"] > 0
    # Started on the worker's own client, the orders' first tasks skip the
    # queue (a worker with no free slot takes the queue, so not every one).
    assert result["eager_start_requests"] > 2
    # The worker's receiver accepted each order before starting it, as the
    # one apart does: the shipment is the only activity, and no order
    # accepted itself in a marker task.
    assert result["engine"]["activities_per_order"] == 1
    assert "marker_workflow_task" not in result["actions_by_kind"]
    assert result["engine"]["histories_sampled"] == 10
