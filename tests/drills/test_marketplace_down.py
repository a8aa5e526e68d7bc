"""The marketplace is unreachable for a while (connections refused), then
answers 503 for a spell, then recovers: orders wait, then complete; none is
failed or marked as needing attention, and every piece ships once."""

import asyncio

from domain import names
from tests.drills.conftest import BOTH_MARKETS

# The 503 spell's length per marketplace. Kaufland ships unit by unit, so one
# order's shipment meets more of the spell's 503s, each a retry with backoff;
# a shorter spell keeps the drill's idle waiting within the suite's budget.
OUTAGE_503S = {"bol": 12, "kaufland": 5}


@BOTH_MARKETS
async def test_orders_wait_out_an_outage_then_complete(drill):
    # The warehouse picks only once the marketplace is down: on a slow machine
    # every order could otherwise ship and close before the outage begins.
    client = await drill.start(picking=False)
    market = drill.market.name
    orders = await drill.place_orders(12 if market == "bol" else 6)
    await drill.wait_for(orders, "AWAITING_PICK")
    drill.sandbox.stop()  # connection refused
    drill.start_picking()
    # Long enough for several refused attempts (retries back off 1, 2, 4 s);
    # a longer outage or spell only pushes the retries' backoff towards its
    # 2-minute cap, which made this drill take 1-2 minutes of idle waiting.
    await asyncio.sleep(4)
    drill.sandbox.start()
    await drill.add_fault(path=drill.market.api_prefix, kind="status", status=503, times=OUTAGE_503S[market])
    await drill.wait_for(orders, "CLOSED", timeout=240)

    failed = [wf async for wf in client.list_workflows("ExecutionStatus = 'Failed' OR ExecutionStatus = 'Terminated'")]
    assert failed == []
    attention = [wf async for wf in client.list_workflows(f"{names.NEEDS_ATTENTION.name} = true")]
    assert attention == []
    requests = await drill.sandbox_json(f"/_sandbox/requests?path={drill.market.api_prefix}")
    assert sum(1 for r in requests if r["status"] == 503) == OUTAGE_503S[market]  # the outage really happened
    await drill.assert_each_shipped_once(orders)
