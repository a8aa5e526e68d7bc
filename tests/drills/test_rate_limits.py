"""A 429 storm, with and without Retry-After: the adapter waits as told,
nothing is lost, and it does not hammer bol (bol watches for that)."""

import collections

from sandbox.bol.config import BolSandboxConfig, RateLimitRule
from tests.drills.harness import Drill, assert_each_line_shipped_once

ORDER_LIMIT = 4  # GET /retailer/orders/{id} per second


async def test_a_429_storm_slows_orders_down_without_a_hot_loop(tmp_path):
    config = BolSandboxConfig(
        process_delay_seconds=0.2,
        rate_limits={"GET /retailer/orders/{order-id}": RateLimitRule(limit=ORDER_LIMIT, window_seconds=1)},
    )
    drill = Drill(tmp_path, sandbox=config)
    try:
        await drill.start()
        # On top of the real limit: 429s without Retry-After on shipping.
        await drill.add_fault(path="/retailer/shipments", method="POST", kind="rate_limit", retryAfter=None, times=10)
        orders = await drill.place_orders(30)
        await drill.wait_for(orders, "CLOSED", timeout=300)
        requests = await drill.sandbox_json("/_sandbox/requests?path=/retailer")
        assert_each_line_shipped_once(orders, await drill.sandbox_json("/_sandbox/shipments"))
    finally:
        await drill.close()

    reads = [r for r in requests if r["method"] == "GET" and r["path"].startswith("/retailer/orders/")]
    limited = [r for r in reads if r["status"] == 429]
    served = [r for r in reads if r["status"] == 200]
    assert limited, "the storm did not happen"
    # Every 429 made the adapter stop for the time bol asked: far fewer 429s than answers.
    assert len(limited) < len(served)
    per_second = collections.Counter(r["at"][:19] for r in reads)
    assert max(per_second.values()) <= 2 * ORDER_LIMIT  # asking, 429s included, stays near the limit
    shipping_429 = [r for r in requests if r["path"] == "/retailer/shipments" and r["status"] == 429]
    assert len(shipping_429) == 10  # each was retried after a backoff, not in a loop
