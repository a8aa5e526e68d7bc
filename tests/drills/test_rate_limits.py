"""A 429 storm, with and without Retry-After: the adapter waits as told (or
backs off when the marketplace says nothing, as Kaufland), nothing is lost,
every piece ships once, and it does not hammer the marketplace (both watch
for that)."""

import collections
from dataclasses import dataclass
from typing import Any

import pytest

from sandbox.bol.config import BolSandboxConfig, RateLimitRule
from sandbox.kaufland.config import KauflandSandboxConfig
from tests.drills.harness import Drill

LIMIT = 4  # requests per second where the marketplace limits


@dataclass(frozen=True)
class Storm:
    sandbox: Any
    # The requests the limit counts, by path prefix and method (None: any).
    limited_path: str
    limited_method: str | None
    orders: int
    # 429s injected on shipping, on top of the limit.
    shipping_429s: int
    channel_settings: dict[str, str] | None = None


STORMS = {
    # bol limits each endpoint: order reads here.
    "bol": Storm(
        BolSandboxConfig(
            process_delay_seconds=0.2,
            rate_limits={"GET /retailer/orders/{order-id}": RateLimitRule(limit=LIMIT, window_seconds=1)},
        ),
        "/retailer/orders/",
        "GET",
        16,
        10,
    ),
    # Kaufland has one budget per seller across every endpoint. The seller's
    # other tools use part of it: the channel is set to 3 per second more
    # than the marketplace has left for it, so 429s come; the adapter's own
    # limiter still keeps every request, retries included, under its setting.
    "kaufland": Storm(
        KauflandSandboxConfig(requests_per_second=2 * LIMIT), "/v2/", None, 8, 5, {"REQUESTS_PER_SECOND": "11"}
    ),
}


@pytest.mark.parametrize("marketplace", ["bol", "kaufland"])
async def test_a_429_storm_slows_orders_down_without_a_hot_loop(tmp_path, marketplace):
    storm = STORMS[marketplace]
    drill = Drill(tmp_path, sandbox=storm.sandbox, marketplace=marketplace, channel_settings=storm.channel_settings)
    market = drill.market
    try:
        await drill.start()
        # On top of the real limit: 429s (without Retry-After on bol) on shipping.
        await drill.add_fault(
            path=market.ship_path,
            method=market.ship_method,
            kind="rate_limit",
            retryAfter=None,
            times=storm.shipping_429s,
        )
        orders = await drill.place_orders(storm.orders)
        await drill.wait_for(orders, "CLOSED", timeout=300)
        requests = await drill.sandbox_json(f"/_sandbox/requests?path={market.api_prefix}")
        await drill.assert_each_shipped_once(orders)
    finally:
        await drill.close()

    reads = [
        r for r in requests if r["path"].startswith(storm.limited_path) and storm.limited_method in (None, r["method"])
    ]
    limited = [r for r in reads if r["status"] == 429]
    served = [r for r in reads if r["status"] < 300]
    assert limited, "the storm did not happen"
    # Every 429 made the adapter stop for a while: far fewer 429s than answers.
    assert len(limited) < len(served)
    per_second = collections.Counter(r["at"][:19] for r in reads)
    limit = LIMIT if marketplace == "bol" else storm.sandbox.requests_per_second
    assert max(per_second.values()) <= 2 * limit  # asking, 429s included, stays near the limit
    ship_methods = {"bol": "POST", "kaufland": "PATCH"}
    shipping_429 = [
        r
        for r in requests
        if r["method"] == ship_methods[marketplace]
        and (r["path"] == "/retailer/shipments" or r["path"].endswith("/send"))
        and r["status"] == 429
    ]
    # Each was retried after a backoff, not in a loop (on Kaufland, the
    # shared budget may refuse a shipment too).
    assert (
        len(shipping_429) == storm.shipping_429s if marketplace == "bol" else len(shipping_429) >= storm.shipping_429s
    )
