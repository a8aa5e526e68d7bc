"""The billable actions no history records, counted where they arrive: the
Temporal server's own request counters (its Prometheus `/metrics`
endpoint; the dev server serves one on `--metrics-port`). An activity
heartbeat that reaches the server is one action and a query is one; the
SDK throttles heartbeats, so what an activity calls says little, and what
the frontend received is what Temporal Cloud bills."""

import asyncio
import re
from collections import Counter

import httpx
from prometheus_client.parser import text_string_to_metric_families

from workers.actions import HEARTBEAT, QUERY, ActionCount

# The server reports its counters about once a second (measured: a request
# shows 1.0 to 1.3 s later); a reading this long after the last request has it.
REPORTED_WITHIN = 2.0

# Frontend operations billed as one action each and absent from history.
UNRECORDED = {
    "RecordActivityTaskHeartbeat": HEARTBEAT,
    "RecordActivityTaskHeartbeatById": HEARTBEAT,
    "QueryWorkflow": QUERY,
}


async def frontend_requests(metrics_url: str, settle: bool = False) -> Counter[str]:
    """Requests the server's frontend has answered since it started, by
    operation; `settle` first waits until the last second's are reported."""
    return await service_requests(metrics_url, "frontend", settle)


async def service_requests(metrics_url: str, service: str, settle: bool = False) -> Counter[str]:
    """The same for one of the server's services (frontend, history, matching)."""
    requests: Counter[str] = Counter()
    for labels, value in await _samples(metrics_url, "service_requests", settle):
        if labels.get("service_name") == service:
            requests[labels.get("operation", "")] += value
    return requests


async def persistence_requests(metrics_url: str, settle: bool = False) -> Counter[str]:
    """Requests the server made to its database since it started, by operation."""
    requests: Counter[str] = Counter()
    for labels, value in await _samples(metrics_url, "persistence_requests", settle):
        requests[labels.get("operation", "")] += value
    return requests


async def eager_start_requests(metrics_url: str, task_queue: str, settle: bool = True) -> int:
    """Starts on `task_queue` that asked the server to hand their first task
    straight to a worker of the client that started them (the SDK asks only
    from a process whose worker has a free slot), less those the server's
    config refused. The server counts a request before it looks for the
    workflow: a start that finds it running (USE_EXISTING) asks too, and
    gets no task."""
    # The server's reporter writes label values with anything but letters,
    # digits and underscores as underscores ("tq-1" is "tq_1").
    reported = re.sub(r"\W", "_", task_queue, flags=re.ASCII)
    # One reading of the page: its counters either side of a second apart would not add up.
    sign = {"workflow_eager_execution": 1, "workflow_eager_execution_denied": -1}
    samples = await _counters(metrics_url, tuple(sign), settle)
    return sum(sign[name] * value for name, labels, value in samples if labels.get("taskqueue") == reported)


async def _samples(metrics_url: str, name: str, settle: bool) -> list[tuple[dict[str, str], int]]:
    return [(labels, value) for _, labels, value in await _counters(metrics_url, (name,), settle)]


async def _counters(metrics_url: str, names: tuple[str, ...], settle: bool) -> list[tuple[str, dict[str, str], int]]:
    """The samples of the named counters, from one reading of the page."""
    if settle:
        await asyncio.sleep(REPORTED_WITHIN)
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(metrics_url)
    response.raise_for_status()
    # The whole page runs to megabytes (a histogram per operation); one
    # counter is a few hundred lines of it.
    prefixes = tuple(name + "{" for name in names)
    lines = "\n".join(line for line in response.text.splitlines() if line.startswith(prefixes))
    return [
        (family.name, sample.labels, int(sample.value))
        for family in text_string_to_metric_families(lines)
        if family.name in names
        for sample in family.samples
    ]


def unrecorded_actions(before: Counter[str], after: Counter[str]) -> ActionCount:
    """Heartbeats and queries the server received between two readings."""
    count = ActionCount()
    for operation, kind in UNRECORDED.items():
        count.add(kind, after[operation] - before[operation])
    return count
