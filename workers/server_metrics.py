"""The billable actions no history records, counted where they arrive: the
Temporal server's own request counters (its Prometheus `/metrics`
endpoint; the dev server serves one on `--metrics-port`). An activity
heartbeat that reaches the server is one action and a query is one; the
SDK throttles heartbeats, so what an activity calls says little, and what
the frontend received is what Temporal Cloud bills."""

import asyncio
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
    if settle:
        await asyncio.sleep(REPORTED_WITHIN)
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(metrics_url)
    response.raise_for_status()
    # The whole page runs to megabytes (a histogram per operation); the
    # request counters are a few hundred lines of it.
    counters = "\n".join(line for line in response.text.splitlines() if line.startswith("service_requests{"))
    requests: Counter[str] = Counter()
    for family in text_string_to_metric_families(counters):
        if family.name != "service_requests":
            continue
        for sample in family.samples:
            if sample.labels.get("service_name") == "frontend":
                requests[sample.labels.get("operation", "")] += int(sample.value)
    return requests


def unrecorded_actions(before: Counter[str], after: Counter[str]) -> ActionCount:
    """Heartbeats and queries the server received between two readings."""
    count = ActionCount()
    for operation, kind in UNRECORDED.items():
        count.add(kind, after[operation] - before[operation])
    return count
