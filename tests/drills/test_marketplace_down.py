"""bol is unreachable for a while (connections refused), then answers 503
for a spell, then recovers: orders wait, then complete; none is failed or
marked as needing attention."""

import asyncio

from domain import names

OUTAGE_503S = 20


async def test_orders_wait_out_an_outage_then_complete(drill):
    client = await drill.start()
    orders = await drill.place_orders(30)
    await drill.wait_for(orders, "AWAITING_PICK", at_least=5)
    drill.sandbox.stop()  # connection refused
    # Long enough for several refused attempts (retries back off 1, 2, 4 s);
    # a longer outage or spell only pushes the retries' backoff towards its
    # 2-minute cap, which made this drill take 1-2 minutes of idle waiting.
    await asyncio.sleep(4)
    drill.sandbox.start()
    await drill.add_fault(path="/retailer", kind="status", status=503, times=OUTAGE_503S)
    await drill.wait_for(orders, "CLOSED", timeout=240)

    failed = [wf async for wf in client.list_workflows("ExecutionStatus = 'Failed' OR ExecutionStatus = 'Terminated'")]
    assert failed == []
    attention = [wf async for wf in client.list_workflows(f"{names.NEEDS_ATTENTION.name} = true")]
    assert attention == []
    requests = await drill.sandbox_json("/_sandbox/requests?path=/retailer")
    assert sum(1 for r in requests if r["status"] == 503) == OUTAGE_503S  # the outage really happened
