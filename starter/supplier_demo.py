"""The supplier portal's side of `ordertide run`: one portal account per
intake mode, the channels that read them, and a retailer placing orders on
each account now and then, so the demo shows every way an order arrives."""

import asyncio
import contextlib
import logging
import random
import uuid
from datetime import timedelta
from typing import Any

import httpx
from pydantic import SecretStr

from domain.catalog import Product
from domain.config import SupplierApiSettings, SupplierChannelConfig, SupplierWebhookSettings
from sandbox.supplier.config import SupplierSandboxConfig

log = logging.getLogger(__name__)

API_KEY = "sandbox"
WEBHOOK_SECRET = "sandbox-webhook-secret"
# The channels `ordertide run` serves on the portal sandbox, by intake mode.
DEMO_ACCOUNTS = {"supplier-api": "api", "supplier-webhook": "webhook"}
DEMO_ADDRESSES = [
    {
        "name": "Ada Jansen",
        "street": "Kerkstraat",
        "house_number": "12",
        "postcode": "1017 GC",
        "city": "Amsterdam",
        "country": "NL",
    },
    {
        "name": "Lotte Peeters",
        "street": "Meir",
        "house_number": "40",
        "postcode": "2000",
        "city": "Antwerpen",
        "country": "BE",
    },
]


def portal_accounts(receiver_url: str) -> dict[str, SupplierSandboxConfig]:
    """One account per demo channel; the webhook account pushes to the receiver."""
    return {
        name: SupplierSandboxConfig(
            api_key=API_KEY,
            webhook_secret=WEBHOOK_SECRET,
            webhook_urls=[f"{receiver_url}/webhooks/supplier/{name}"] if mode == "webhook" else [],
        )
        for name, mode in DEMO_ACCOUNTS.items()
    }


def demo_channels(portal_url: str, return_window: timedelta | None) -> dict[str, SupplierChannelConfig]:
    """The API channel polls its account and updates statuses through the API;
    the webhook channel takes pushes and plays a portal updated by hand, so
    its cancellations show the manual step."""
    api: dict[str, Any] = {
        "intake": "api",
        "status_updates": "api",
        "stock_feed": True,
        "offer_sync": True,
        "api": SupplierApiSettings(base_url=f"{portal_url}/supplier-api", api_key=SecretStr(API_KEY)),
    }
    webhook: dict[str, Any] = {
        "intake": "webhook",
        "status_updates": "manual",
        "stock_feed": False,
        "portal_url": f"{portal_url}/supplier-webhook",
    }
    return {
        name: SupplierChannelConfig(
            **values,
            portal_name="the supplier portal sandbox",
            webhooks=SupplierWebhookSettings(secret=SecretStr(WEBHOOK_SECRET)),
            poll_interval=timedelta(seconds=2),
            return_window=return_window,
        )
        for name, values in (("supplier-api", api), ("supplier-webhook", webhook))
    }


class RetailerSimulator:
    """Places an order on each demo account every `interval` seconds."""

    def __init__(
        self, portal_url: str, catalog: list[Product], prices: dict[str, str], interval: float, seed: int = 11
    ):
        self.http = httpx.AsyncClient(base_url=portal_url, timeout=10)
        self.catalog = catalog
        self.prices = prices
        self.interval = interval
        self.rng = random.Random(seed)

    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                for account in DEMO_ACCOUNTS:
                    try:
                        await self._place(account)
                    except httpx.HTTPError as exc:
                        log.warning("retailer simulator: %s", exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.interval)
        finally:
            await self.http.aclose()

    async def _place(self, account: str) -> None:
        products = self.rng.sample(self.catalog, k=self.rng.choice([1, 1, 2]))
        items = [
            {"sku": p.sku, "ean": p.ean, "title": p.title, "quantity": 1, "price": self.prices[p.sku]} for p in products
        ]
        body = {
            "order_number": f"PO-{uuid.uuid4().hex[:8].upper()}",
            "items": items,
            "contact": {"name": "Retail Co", "email": "orders@retail.example"},
            "delivery_address": self.rng.choice(DEMO_ADDRESSES),
        }
        response = await self.http.post(f"/{account}/_sandbox/orders", json=body)
        response.raise_for_status()
