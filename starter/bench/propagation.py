"""`ordertide bench propagation`: a sale on one channel → the stock update
accepted by the sandboxes of the other channels. Three bol channels, a
Kaufland one and a Plaza one (a bol channel whose offers go over bol's legacy
XML upsert), each its own sandbox; sales go through the whole path (intake poll, order
workflow, reservation, offer sync with its coalescing window, bol's
asynchronous process status). Latency is measured from the moment the sale
is placed on the marketplace to the moment the other marketplaces applied
the stock update (their own clocks, same machine)."""

import asyncio
import random
import statistics
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from pydantic import BaseModel
from temporalio.client import Client

from domain import names
from domain.catalog import Product
from starter.bench import kaufland as kl
from starter.bench.stack import BenchStack, Sandbox, catalog, plaza_sandbox
from workers.actions import HEARTBEAT, ActionCount, count_actions
from workers.gc_pauses import settle_garbage_collection
from workers.server_metrics import frontend_requests, unrecorded_actions
from workers.webhooks import create_webhook_app
from workers.worker import ensure_intake

CHANNELS = ["bol-a", "bol-b", "bol-c"]
# The same catalogue on Kaufland, sharing the one stock.
KAUFLAND = "kaufland"
# A bol channel still on the Plaza XML offer API: it receives the stock changes.
PLAZA = "bol-plaza"
ON_HAND = 900  # under bol's cap of 999, so every sale changes the offer


class PropagationResult(BaseModel):
    sales: int
    sales_per_s: float
    skus: int
    window_ms: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    # Per marketplace the sale did not happen on: sale → stock applied there (ms).
    per_marketplace: dict[str, dict[str, float]] = {}
    kaufland_amount_calls: int = 0
    # Per receiving channel: sale → that channel applied the stock (ms).
    per_channel: dict[str, dict[str, float]] = {}
    stock_changes: int
    stock_calls: int
    stock_calls_per_1000_changes: float
    max_stock_calls_per_offer_per_window: int
    # Status look-ups (single and bulk) during the sales, per channel.
    process_status_calls: int = 0
    process_status_calls_per_1000_changes: float = 0.0
    # Billable Temporal actions of every channel's offer sync (every run, the
    # catalogue's publishing included), per sale, and by kind.
    offer_sync_actions_per_sale: float = 0.0
    offer_sync_actions_by_kind: dict[str, int] = {}
    # Activity heartbeats the server received during the sales, per sale:
    # billed, but in no history (workers/server_metrics.py).
    heartbeats_per_sale: float = 0.0
    price_change_skus: int
    price_calls: int
    price_calls_per_1000_changes: float
    price_propagation_s: float


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


async def _wait_for_offers(boxes: list[Sandbox], count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for box in boxes:
        while len([o for o in await box.get("/_sandbox/offers") if not o.get("deleted")]) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{box.url} has not all {count} offers after {timeout:.0f}s")
            await asyncio.sleep(0.5)


def _stock_history(offers: list[dict[str, Any]]) -> dict[str, list[tuple[datetime, int]]]:
    history: dict[str, list[tuple[datetime, int]]] = {}
    for offer in offers:
        entries = [(datetime.fromisoformat(h["at"]), h["value"]) for h in offer["history"] if h["field"] == "stock"]
        history[offer["ean"]] = sorted(entries)
    return history


async def run(
    sales: int = 500,
    rate: float = 5.0,
    skus: int = 50,
    window: timedelta = timedelta(milliseconds=250),
    price_skus: int = 2000,
    poll_interval: timedelta = timedelta(seconds=10),
    process_delay: float = 0.05,
    seed: int = 1,
) -> PropagationResult:
    stack = await BenchStack.start(
        CHANNELS,
        process_delay=process_delay,
        poll_interval=poll_interval,
        window=window,
        kaufland=(KAUFLAND,),
        plaza=(PLAZA,),
    )
    rng = random.Random(seed)
    metrics_url = stack.server.metrics_url
    assert metrics_url is not None, "the bench stack's server serves its counters"
    try:
        products = catalog(skus)
        for product in products:
            stack.engine.inventory.upsert_product(product)
            stack.engine.inventory.set_stock(product.sku, ON_HAND)
        kaufland = stack.sandboxes[KAUFLAND]
        plaza = stack.sandboxes[plaza_sandbox(PLAZA)]
        boxes = [stack.sandboxes[name] for name in CHANNELS]
        selling, others = boxes[0], boxes[1:]
        # bol pushes ORDER notifications to our webhook receiver (the driver
        # plays bol's part); intake polling stays on as the safety net.
        hooks = create_webhook_app(stack.engine.intake(stack.client))
        push = httpx.AsyncClient(transport=httpx.ASGITransport(app=hooks), base_url="http://webhooks")
        async with stack.engine.worker(stack.client, max_concurrent_activities=400), push:
            await ensure_intake(stack.client, stack.settings)
            notifier = stack.engine.notifier(stack.client)
            await notifier.changed([p.sku for p in products])
            await _wait_for_offers(boxes, skus, timeout=120)
            await kl.wait_for_units(kaufland, skus, timeout=120)
            await _wait_for_offers([plaza], skus, timeout=120)
            status_before = await _status_calls(boxes)
            requests_before = await frontend_requests(metrics_url, settle=True)
            settle_garbage_collection()  # as a production worker does once it runs

            # Sales on the first channel, at a steady pace.
            placed: list[tuple[str, datetime]] = []
            started = time.monotonic()
            for n in range(sales):
                product = rng.choice(products)
                await asyncio.sleep(max(0.0, started + n / rate - time.monotonic()))
                at = datetime.now(UTC)
                item = {"ean": product.ean, "quantity": 1, "unitPrice": str(product.list_price), "title": product.title}
                order = await selling.post("/_sandbox/orders", {"items": [item]})
                event = {"resource": "ORDER", "type": "NEW", "resourceId": order["orderId"]}
                signed = await selling.post("/_sandbox/pushes", {"event": event})
                delivered = await push.post(
                    f"/webhooks/bol/{CHANNELS[0]}", content=signed["body"], headers=signed["headers"]
                )
                delivered.raise_for_status()
                placed.append((product.ean, at))
            sold_for = Counter(ean for ean, _ in placed)
            final = {ean: ON_HAND - count for ean, count in sold_for.items()}

            async def settled(box: Sandbox) -> bool:
                history = _stock_history(await box.get("/_sandbox/offers"))
                return all(history[ean] and history[ean][-1][1] == stock for ean, stock in final.items())

            deadline = time.monotonic() + 120
            for box in boxes:
                while not await settled(box):
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"{box.url}: stock did not settle")
                    await asyncio.sleep(0.5)

            deadline = time.monotonic() + 120
            while not all(
                h[ean] and h[ean][-1][1] == n for h in [await kl.amount_history(kaufland)] for ean, n in final.items()
            ):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{kaufland.url}: Kaufland amounts did not settle")
                await asyncio.sleep(0.5)
            while not all(
                h.get(ean) and h[ean][-1][1] == n for h in [await _plaza_history(plaza)] for ean, n in final.items()
            ):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{plaza.url}: Plaza stock did not settle")
                await asyncio.sleep(0.5)
            per_channel = {
                name: _latencies(placed, [_stock_history(await box.get("/_sandbox/offers"))])
                for name, box in zip(CHANNELS[1:], others, strict=True)
            }
            per_channel[KAUFLAND] = _latencies(placed, [await kl.amount_history(kaufland)])
            on_bol = [max(each) for each in zip(*(per_channel[name] for name in CHANNELS[1:]), strict=True)]
            per_channel[PLAZA] = _latencies(placed, [await _plaza_history(plaza)])
            per_marketplace = {
                "bol": _figures(on_bol),
                "kaufland": _figures(per_channel[KAUFLAND]),
                "plaza": _figures(per_channel[PLAZA]),
            }
            latencies = [max(each) for each in zip(*per_channel.values(), strict=True)]
            amount_calls = await kl.amount_calls(kaufland)
            stock_calls, per_window = await _stock_calls(boxes, window)
            status_calls = await _status_calls(boxes) - status_before
            offer_sync_actions = await _offer_sync_actions(stack.client)
            unrecorded = unrecorded_actions(requests_before, await frontend_requests(metrics_url, settle=True))

            price = await _price_change(stack, boxes, price_skus)
    finally:
        await stack.close()
    return PropagationResult(
        sales=sales,
        sales_per_s=rate,
        skus=skus,
        window_ms=int(window.total_seconds() * 1000),
        p50_ms=round(statistics.median(latencies), 1),
        p95_ms=round(_percentile(latencies, 95), 1),
        p99_ms=round(_percentile(latencies, 99), 1),
        max_ms=round(max(latencies), 1),
        per_marketplace=per_marketplace,
        kaufland_amount_calls=amount_calls,
        per_channel={name: _figures(values) for name, values in per_channel.items()},
        stock_changes=sales,
        stock_calls=stock_calls,
        # Per channel: without coalescing every change would cost each channel one call.
        stock_calls_per_1000_changes=round(stock_calls / len(CHANNELS) / sales * 1000, 1),
        max_stock_calls_per_offer_per_window=per_window,
        process_status_calls=status_calls,
        process_status_calls_per_1000_changes=round(status_calls / len(CHANNELS) / sales * 1000, 1),
        offer_sync_actions_per_sale=round(offer_sync_actions.total / sales, 2),
        offer_sync_actions_by_kind=offer_sync_actions.breakdown(),
        heartbeats_per_sale=round(unrecorded.by_kind[HEARTBEAT] / sales, 2),
        **price,
    )


def _figures(latencies: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(_percentile(latencies, 95), 1),
        "p99_ms": round(_percentile(latencies, 99), 1),
        "max_ms": round(max(latencies), 1),
    }


def _latencies(
    placed: list[tuple[str, datetime]], histories: list[dict[str, list[tuple[datetime, int]]]]
) -> list[float]:
    """Per sale, until every other channel applied a stock level that includes it."""
    sold: Counter[str] = Counter()
    latencies = []
    for ean, at in placed:
        sold[ean] += 1
        expected = ON_HAND - sold[ean]
        done = []
        for history in histories:
            applied = next(when for when, value in history[ean] if when >= at and value <= expected)
            done.append(applied)
        latencies.append((max(done) - at).total_seconds() * 1000)
    return latencies


async def _plaza_history(plaza: Sandbox) -> dict[str, list[tuple[datetime, int]]]:
    """Per EAN, the stock levels the Plaza sandbox accepted, in order."""
    recorded = await plaza.get("/_sandbox/stock-history")
    return {
        ean: sorted((datetime.fromisoformat(e["at"]), e["value"]) for e in entries) for ean, entries in recorded.items()
    }


async def _offer_sync_actions(client: Client) -> ActionCount:
    total = ActionCount()
    async for run in client.list_workflows(f"WorkflowType = '{names.OFFER_SYNC_WORKFLOW}'"):
        total += count_actions(await client.get_workflow_handle(run.id, run_id=run.run_id).fetch_history())
    return total


async def _status_calls(boxes: list[Sandbox]) -> int:
    return sum([len(await box.get("/_sandbox/requests?path=/shared/process-status")) for box in boxes])


async def _stock_calls(boxes: list[Sandbox], window: timedelta) -> tuple[int, int]:
    calls = 0
    worst = 0
    for box in boxes:
        requests = await box.get("/_sandbox/requests?path=/retailer/offers/")
        stock = [r for r in requests if r["method"] == "PUT" and r["path"].endswith("/stock")]
        calls += len(stock)
        by_offer: dict[str, list[datetime]] = defaultdict(list)
        for r in stock:
            by_offer[r["path"]].append(datetime.fromisoformat(r["at"]))
        for times in by_offer.values():
            times.sort()
            for i, start in enumerate(times):
                worst = max(worst, sum(1 for t in times[i:] if t - start < window))
    return calls, worst


def _list_price(product: Product) -> Decimal:
    if product.list_price is None:  # catalog() prices every product
        raise ValueError(f"benchmark product {product.sku} has no list price")
    return product.list_price


async def _price_change(stack: BenchStack, boxes: list[Sandbox], count: int) -> dict[str, Any]:
    if count == 0:
        return {
            "price_change_skus": 0,
            "price_calls": 0,
            "price_calls_per_1000_changes": 0.0,
            "price_propagation_s": 0.0,
        }
    products = [p.model_copy(update={"sku": "P" + p.sku}) for p in catalog(count + 100_000)[100_000:]]
    inventory = stack.engine.inventory
    for product in products:
        inventory.upsert_product(product)
        inventory.set_stock(product.sku, 10)
    notifier = stack.engine.notifier(stack.client)
    existing = len(await boxes[0].get("/_sandbox/offers"))
    await notifier.changed([p.sku for p in products])
    await _wait_for_offers(boxes, existing + count, timeout=1800)
    before = [len(await box.get("/_sandbox/requests?path=/retailer/offers/")) for box in boxes]

    raised = {p.sku: _list_price(p) + Decimal("1.00") for p in products}
    started = time.monotonic()
    for product in products:
        inventory.upsert_product(product.model_copy(update={"list_price": raised[product.sku]}))
    await notifier.changed([p.sku for p in products])
    wanted = {p.ean: float(raised[p.sku]) for p in products}
    for box in boxes:
        while True:
            offers = {o["ean"]: o for o in await box.get("/_sandbox/offers")}
            if all(offers[ean]["pricing"]["bundlePrices"][0]["unitPrice"] == price for ean, price in wanted.items()):
                break
            await asyncio.sleep(0.5)
    elapsed = time.monotonic() - started
    calls = 0
    for box, skip in zip(boxes, before, strict=True):
        requests = (await box.get("/_sandbox/requests?path=/retailer/offers/"))[skip:]
        calls += sum(1 for r in requests if r["method"] == "PUT" and r["path"].endswith("/price"))
    return {
        "price_change_skus": count,
        "price_calls": calls,
        "price_calls_per_1000_changes": round(calls / len(boxes) / count * 1000, 1),
        "price_propagation_s": round(elapsed, 1),
    }
