"""The buyer simulator's Kaufland side, for `ordertide run`: the same
catalogue sold on the Kaufland sandbox (one order unit per piece, prices in
cents), and now and then Kaufland's customer service cancels a unit at the
buyer's request."""

import logging
from decimal import Decimal

from domain.catalog import Product
from domain.money import to_cents
from starter.simulators import PacedBuyer

log = logging.getLogger(__name__)


class KauflandBuyerSimulator(PacedBuyer):
    name = "Kaufland buyer simulator"

    def __init__(
        self,
        sandbox_url: str,
        catalog: list[Product],
        prices: dict[str, str],
        orders_per_minute: float,
        seed: int = 13,
        cancel_share: float = 0.05,
    ):
        super().__init__(sandbox_url, catalog, prices, orders_per_minute, seed, cancel_share)

    async def _tick(self) -> None:
        await self._place_order()

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
