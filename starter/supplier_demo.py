"""The supplier portal's side of `ordertide run`: one portal account per
intake mode, the channels that read them, and a retailer placing orders on
each account now and then, so the demo shows every way an order arrives."""

import asyncio
import contextlib
import logging
import random
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from domain.catalog import Product
from domain.config import SupplierApiSettings, SupplierChannelConfig, SupplierWebhookSettings
from domain.portal_drops import FileDropSettings, MailboxSettings, SftpLogin
from sandbox.supplier.config import SupplierSandboxConfig

log = logging.getLogger(__name__)

API_KEY = "sandbox"
WEBHOOK_SECRET = "sandbox-webhook-secret"
# The channels `ordertide run` serves on the portal sandbox, by intake mode.
DEMO_ACCOUNTS = {
    "supplier-api": "api",
    "supplier-webhook": "webhook",
    "supplier-sftp": "file",
    "supplier-email": "email",
}
DROP_LOGIN = ("supplier", "sandbox")
MAILBOX_LOGIN = ("orders", "sandbox")
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


@dataclass(frozen=True)
class DropPorts:
    """Where the portal's file drop (its own SFTP server) and the supplier's
    mail server (SMTP in, IMAP out) listen in the demo."""

    sftp: int = 8716
    imap: int = 8717
    smtp: int = 8718


DEMO_DROP_PORTS = DropPorts()


def portal_accounts(
    receiver_url: str, drops_dir: Path | None = None, ports: DropPorts = DEMO_DROP_PORTS
) -> dict[str, SupplierSandboxConfig]:
    """One account per demo channel; the webhook account pushes to the
    receiver; with `drops_dir`, the file account writes to its SFTP server
    and the mail account mails the supplier's mailbox, both kept there."""
    drops: dict[str, dict[str, Any]] = {}
    if drops_dir is not None:
        drops = {
            "file": {
                "sftp_root": str(drops_dir / "sftp"),
                "sftp_port": ports.sftp,
                "sftp_username": DROP_LOGIN[0],
                "sftp_password": DROP_LOGIN[1],
            },
            "email": {
                "mail_root": str(drops_dir / "mail"),
                "imap_port": ports.imap,
                "smtp_port": ports.smtp,
                "mail_username": MAILBOX_LOGIN[0],
                "mail_password": MAILBOX_LOGIN[1],
            },
        }
    return {
        name: SupplierSandboxConfig(
            api_key=API_KEY,
            webhook_secret=WEBHOOK_SECRET,
            webhook_urls=[f"{receiver_url}/webhooks/supplier/{name}"] if mode == "webhook" else [],
            **drops.get(mode, {}),
        )
        for name, mode in DEMO_ACCOUNTS.items()
        if mode in ("api", "webhook") or mode in drops
    }


def demo_channels(
    portal_url: str, return_window: timedelta | None, drops: DropPorts | None = None
) -> dict[str, SupplierChannelConfig]:
    """The API channel polls its account and updates statuses through the API;
    the webhook channel takes pushes and plays a portal updated by hand, so
    its cancellations show the manual step. With `drops`, the file channel
    reads its account's SFTP drop and the mail channel the supplier's
    mailbox; both update statuses through their account's API."""
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
    channels: list[tuple[str, dict[str, Any]]] = [("supplier-api", api), ("supplier-webhook", webhook)]
    if drops is not None:
        channels += [
            ("supplier-sftp", _drop_channel(portal_url, drops)),
            ("supplier-email", _mail_channel(portal_url, drops)),
        ]
    return {
        name: SupplierChannelConfig(
            **values,
            portal_name="the supplier portal sandbox",
            webhooks=SupplierWebhookSettings(secret=SecretStr(WEBHOOK_SECRET)),
            poll_interval=timedelta(seconds=2),
            return_window=return_window,
        )
        for name, values in channels
    }


def _account_api(portal_url: str, account: str) -> dict[str, Any]:
    return {
        "status_updates": "api",
        "stock_feed": False,
        "offer_sync": False,
        "api": SupplierApiSettings(base_url=f"{portal_url}/{account}", api_key=SecretStr(API_KEY)),
    }


def _drop_channel(portal_url: str, ports: DropPorts) -> dict[str, Any]:
    login = SftpLogin(
        host="127.0.0.1",
        port=ports.sftp,
        username=DROP_LOGIN[0],
        password=SecretStr(DROP_LOGIN[1]),
        accept_any_host_key=True,
    )
    return {
        "intake": "file",
        "file": FileDropSettings(folder="orders", sftp=login),
        **_account_api(portal_url, "supplier-sftp"),
    }


def _mail_channel(portal_url: str, ports: DropPorts) -> dict[str, Any]:
    mailbox = MailboxSettings(
        host="127.0.0.1",
        port=ports.imap,
        tls=False,  # loopback only
        username=MAILBOX_LOGIN[0],
        password=SecretStr(MAILBOX_LOGIN[1]),
    )
    return {"intake": "email", "email": mailbox, **_account_api(portal_url, "supplier-email")}


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
