"""A buyer and a warehouse, for `ordertide run`: orders appear on the bol
sandbox at a steady rate, now and then a buyer cancels or returns, and a
warehouse picks, ships and receives returns after a short delay."""

import asyncio
import contextlib
import logging
import random
from datetime import timedelta

import httpx
from pydantic import BaseModel
from temporalio.client import Client, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError

from activities.store import InventoryStore
from domain import names
from domain.catalog import Product
from domain.order.messages import PickRequest, ReturnReceivedRequest
from starter import orders_api, stock_api
from starter.warehouse_inbox import WarehouseInbox

log = logging.getLogger(__name__)

UPDATE_TIMEOUT = timedelta(seconds=5)
# Far more than are ever waiting for a pick at once.
PICKED_REMEMBERED = 100_000


class PacedBuyer:
    """Places an order on a marketplace sandbox every 60/orders_per_minute
    seconds until stopped; each marketplace's buyer says what one tick does."""

    name = "buyer simulator"

    def __init__(
        self,
        sandbox_url: str,
        catalog: list[Product],
        prices: dict[str, str],
        orders_per_minute: float,
        seed: int,
        cancel_share: float = 0.05,
    ):
        self.http = httpx.AsyncClient(base_url=sandbox_url, timeout=10)
        self.catalog = catalog
        self.prices = prices
        self.interval = 60.0 / orders_per_minute
        self.rng = random.Random(seed)
        self.cancel_share = cancel_share
        self.placed = 0

    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                try:
                    await self._tick()
                except httpx.HTTPError as exc:
                    log.warning("%s: %s", self.name, exc)
                with contextlib.suppress(TimeoutError):  # the pause is over; stop is checked next
                    await asyncio.wait_for(stop.wait(), timeout=self.interval)
        finally:
            await self.http.aclose()

    async def _tick(self) -> None:
        raise NotImplementedError


class BuyerSimulator(PacedBuyer):
    def __init__(
        self,
        sandbox_url: str,
        catalog: list[Product],
        prices: dict[str, str],
        orders_per_minute: float,
        seed: int = 7,
        cancel_share: float = 0.05,
        return_share: float = 0.05,
    ):
        super().__init__(sandbox_url, catalog, prices, orders_per_minute, seed, cancel_share)
        self.return_share = return_share
        self._returned: set[str] = set()

    async def _tick(self) -> None:
        await self._place_order()
        await self._maybe_return()

    async def _place_order(self) -> None:
        products = self.rng.sample(self.catalog, k=self.rng.choice([1, 1, 1, 2, 3]))
        items = [
            {
                "ean": p.ean,
                "quantity": self.rng.choice([1, 1, 2]),
                "unitPrice": self.prices[p.sku],
                "title": p.title,
                "offerReference": p.sku,
            }
            for p in products
        ]
        country = self.rng.choice(["NL", "NL", "NL", "BE"])
        response = await self.http.post("/_sandbox/orders", json={"items": items, "countryCode": country})
        response.raise_for_status()
        order = response.json()
        self.placed += 1
        if self.rng.random() < self.cancel_share:
            await self.http.post(f"/_sandbox/orders/{order['orderId']}/cancellation-requests", json={})

    async def _maybe_return(self) -> None:
        if self.rng.random() >= self.return_share:
            return
        shipments = (await self.http.get("/_sandbox/shipments")).json()
        candidates = [s for s in shipments if s["shipmentId"] not in self._returned]
        if not candidates:
            return
        shipment = self.rng.choice(candidates)
        item = shipment["items"][0]
        self._returned.add(shipment["shipmentId"])
        await self.http.post(
            "/_sandbox/returns",
            json={"orderItemId": item["orderItemId"], "quantity": 1, "mainReason": "Verkeerde maat of afmeting"},
        )


class WarehouseSimulator:
    def __init__(
        self,
        client: Client,
        inventory: InventoryStore,
        pick_delay: timedelta = timedelta(seconds=5),
        seed: int = 11,
        restock: tuple[str, int] | None = None,
        pushed: WarehouseInbox | None = None,
    ):
        """`restock`: (task queue, level): products whose available stock falls
        below the level get 20 more, through the inventory workflow like any
        other stock change, so every channel's offer follows.

        `pushed`: the warehouse of `ordertide run`, which gets its orders
        pushed and reports picks over HTTP, like a warehouse that cannot speak
        Temporal. Without it (benchmarks, drills) it looks for orders awaiting
        a pick itself and sends the updates with the Temporal client."""
        self.client = client
        self.inventory = inventory
        self.pick_delay = pick_delay
        self.rng = random.Random(seed)
        self.restock = restock
        self.pushed = pushed
        self.picked = 0
        self._waiting: dict[str, float] = {}
        # Orders this warehouse picked: a real one does not pick them twice,
        # whatever the status says meanwhile (an order shows AWAITING_PICK
        # until its shipment is confirmed: no transient SHIPPING, issue 12).
        self._picked: dict[str, None] = {}
        self._in_flight = asyncio.Semaphore(20)

    async def run(self, stop: asyncio.Event, every: float = 2.0) -> None:
        while not stop.is_set():
            try:
                if self.pushed is not None:
                    self.picked += await self.pushed.pick_ready(self.pick_delay, self._pick_request)
                else:
                    await self._pick_ready_orders()
                await self._receive_returns()
                await self._replenish()
            except RPCError as exc:
                log.warning("warehouse simulator: %s", exc.message)
            with contextlib.suppress(TimeoutError):  # the pause is over; stop is checked next
                await asyncio.wait_for(stop.wait(), timeout=every)

    async def _pick_ready_orders(self) -> None:
        now = asyncio.get_running_loop().time()
        waiting = await orders_api.list_orders(self.client, orders_api.list_query(status="AWAITING_PICK"))
        ready = []
        for order in waiting:
            if order.workflow_id in self._picked:
                continue
            first_seen = self._waiting.setdefault(order.workflow_id, now)
            if now - first_seen >= self.pick_delay.total_seconds():
                ready.append(order.workflow_id)
        picks = [self._pick_request() for _ in ready]
        done = await asyncio.gather(
            *(self._send(wf, names.UPDATE_PICK, pick) for wf, pick in zip(ready, picks, strict=True))
        )
        self.picked += sum(done)
        for workflow_id, picked in zip(ready, done, strict=True):
            if picked:
                self._waiting.pop(workflow_id, None)
                self._picked[workflow_id] = None
        while len(self._picked) > PICKED_REMEMBERED:
            del self._picked[next(iter(self._picked))]

    def _pick_request(self) -> PickRequest:
        return PickRequest(
            track_and_trace=f"3SSIM{self.rng.randrange(10**9):09d}", weight_grams=self.rng.randrange(200, 4000)
        )

    async def _receive_returns(self) -> None:
        opened = await orders_api.list_orders(self.client, orders_api.list_query(status="RETURN_OPEN"))
        requests = [ReturnReceivedRequest(resellable=self.rng.random() < 0.8) for _ in opened]
        await asyncio.gather(
            *(self._send(o.workflow_id, names.UPDATE_RETURN_RECEIVED, r) for o, r in zip(opened, requests, strict=True))
        )

    async def _send(self, workflow_id: str, update: str, request: BaseModel) -> bool:
        async with self._in_flight:
            try:
                await orders_api.update_order(self.client, workflow_id, update, request, rpc_timeout=UPDATE_TIMEOUT)
            except (WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, RPCError):
                # Rejected (already done, not ready yet) or unanswered (its worker
                # is down): the next round looks again; one order never stalls the rest.
                return False
        return True

    async def _replenish(self) -> None:
        if self.restock is None:
            return
        task_queue, level = self.restock
        products = await asyncio.to_thread(self.inventory.products)
        for product in products:
            stock = await asyncio.to_thread(self.inventory.stock, product.sku)
            if stock.available < level:
                await stock_api.adjust_stock(self.client, task_queue, product.sku, 20)
