"""The buyer simulator's Kaufland side, for `ordertide run`: the same
catalogue sold on the Kaufland sandbox (one order unit per piece, prices in
cents), and now and then Kaufland's customer service cancels a unit at the
buyer's request."""

import asyncio
import contextlib
import logging
import random
from decimal import Decimal

import httpx

from domain.catalog import Product
from domain.money import to_cents

log = logging.getLogger(__name__)


class KauflandBuyerSimulator:
    def __init__(
        self,
        sandbox_url: str,
        catalog: list[Product],
        prices: dict[str, str],
        orders_per_minute: float,
        seed: int = 13,
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
                    await self._place_order()
                except httpx.HTTPError as exc:
                    log.warning("Kaufland buyer simulator: %s", exc)
                with contextlib.suppress(TimeoutError):  # the pause is over; stop is checked next
                    await asyncio.wait_for(stop.wait(), timeout=self.interval)
        finally:
            await self.http.aclose()

    async def _place_order(self) -> None:
        products = self.rng.sample(self.catalog, k=self.rng.choice([1, 1, 2]))
        items = [
            {
                "ean": p.ean,
                "quantity": self.rng.choice([1, 1, 2]),
                "price": to_cents(Decimal(self.prices[p.sku])),
                "title": p.title,
                "id_offer": p.sku,
            }
            for p in products
        ]
        response = await self.http.post("/_sandbox/orders", json={"items": items})
        response.raise_for_status()
        order = response.json()
        self.placed += 1
        if self.rng.random() < self.cancel_share:
            unit = order["order_units"][0]["id_order_unit"]
            await self.http.post(f"/_sandbox/order-units/{unit}/customer-cancel", json={})
