"""Test helpers: a sandbox handle and an engine factory wired to it."""

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from domain.channels import Marketplace
from domain.config import BolChannelConfig, ChannelConfig, KauflandChannelConfig
from sandbox.bol.app import create_app
from sandbox.bol.config import BolSandboxConfig
from sandbox.kaufland.app import create_app as create_kaufland_app
from sandbox.kaufland.config import KauflandSandboxConfig
from starter.demo_catalog import seed_demo_catalog
from workers.settings import Settings, WarehouseSettings
from workers.worker import Engine

SANDBOX_URL = "http://bol.sandbox"


@dataclass
class Sandboxed:
    """A sandbox app routed in-process, with its control API at hand."""

    app: Any
    transport: httpx.AsyncBaseTransport
    url: str

    @property
    def state(self) -> Any:
        return self.app.state.sandbox

    def control(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport, base_url=self.url)

    async def post(self, path: str, body: dict | None = None) -> Any:
        async with self.control() as http:
            response = await http.post(path, json=body or {})
            response.raise_for_status()
            return response.json() if response.content else {}

    async def get(self, path: str) -> Any:
        async with self.control() as http:
            response = await http.get(path)
            response.raise_for_status()
            return response.json()


@dataclass
class SandboxedBol(Sandboxed):
    url: str = SANDBOX_URL

    @classmethod
    def start(cls, **config: Any) -> "SandboxedBol":
        app = create_app(BolSandboxConfig(**config))
        return cls(app=app, transport=httpx.ASGITransport(app=app))

    async def place_order(self, items: list[dict], **extra: Any) -> dict:
        # Unique across sandboxes: the Temporal server outlives each test's sandbox.
        extra.setdefault("orderId", str(uuid.uuid4().int)[:10])
        order: dict = await self.post("/_sandbox/orders", {"items": items, **extra})
        return order


KAUFLAND_SANDBOX_URL = "http://kaufland.sandbox"


@dataclass
class SandboxedKaufland(Sandboxed):
    """The Kaufland sandbox; its API is under `api_url`."""

    url: str = KAUFLAND_SANDBOX_URL

    @classmethod
    def start(cls, **config: Any) -> "SandboxedKaufland":
        app = create_kaufland_app(KauflandSandboxConfig(**config))
        return cls(app=app, transport=httpx.ASGITransport(app=app))

    @property
    def api_url(self) -> str:
        return f"{self.url}/v2"

    async def place_order(self, items: list[dict], **extra: Any) -> dict:
        """items: {ean, quantity, price (cents), title?, id_offer?}. The
        order id is unique across sandboxes (the Temporal server outlives them)."""
        extra.setdefault("id_order", "K" + uuid.uuid4().hex[:9].upper())
        order: dict = await self.post("/_sandbox/orders", {"items": items, **extra})
        return order


def kaufland_channel(url: str, **overrides: Any) -> KauflandChannelConfig:
    """A channel on the sandbox at `url` (its /v2 API base)."""
    values: dict[str, Any] = {
        "api_base_url": url,
        "client_key": "sandbox",
        "secret_key": SecretStr("sandbox"),
        "poll_interval": timedelta(seconds=1),
        "offer_sync": False,
    }
    return KauflandChannelConfig(**{**values, **overrides})


def as_bol(config: ChannelConfig) -> BolChannelConfig:
    """The channel's config, which the test set up as a bol channel."""
    assert isinstance(config, BolChannelConfig), f"expected a bol channel, got {config.marketplace}"
    return config


def bol_channel(url: str, **overrides: Any) -> BolChannelConfig:
    values: dict[str, Any] = {
        "api_base_url": url,
        "token_url": f"{url}/token",
        "client_id": "sandbox",
        "client_secret": SecretStr("sandbox"),
        "retailer_id": BolSandboxConfig().retailer_id,
        "poll_interval": timedelta(seconds=1),
        "process_status_patience": timedelta(seconds=30),
        "process_status_poll": timedelta(milliseconds=50),
        # Order tests leave offers alone; offer-sync tests switch it on.
        "offer_sync": False,
    }
    return BolChannelConfig(**{**values, **overrides})


class EngineFactory:
    def __init__(self, tmp_path: Path, bol: SandboxedBol, kaufland: "SandboxedKaufland | None" = None):
        self.tmp_path = tmp_path
        self.bol = bol
        self.kaufland = kaufland

    def build(
        self,
        task_queue: str,
        database_url: str | None = None,
        stock: int = 50,
        warehouse: WarehouseSettings | None = None,
        marketplace: Marketplace = Marketplace.BOL,
        **channel: Any,
    ) -> Engine:
        """An engine with one channel named after its marketplace ("bol" or
        "kaufland"), on that marketplace's sandbox."""
        channels: dict[str, ChannelConfig]
        if marketplace is Marketplace.KAUFLAND:
            assert self.kaufland is not None, "this factory has no Kaufland sandbox"
            channels = {"kaufland": kaufland_channel(self.kaufland.api_url, **channel)}
            transports = {"kaufland": self.kaufland.transport}
        else:
            channels = {"bol": bol_channel(self.bol.url, **channel)}
            transports = {"bol": self.bol.transport}
        settings = Settings(
            warehouse=warehouse or WarehouseSettings(),
            data_dir=self.tmp_path,
            database_url=database_url or f"sqlite:///{self.tmp_path / f'store-{uuid.uuid4().hex[:8]}.db'}",
            task_queue=task_queue,
            channels=channels,
        )
        engine = Engine.build(settings, transports=transports)
        seed_demo_catalog(engine.inventory, on_hand=stock)
        return engine


async def eventually(check: Callable[[], Any], timeout: float = 20.0, interval: float = 0.1) -> Any:
    """Poll an (async or sync) check until it returns a truthy value."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if asyncio.iscoroutine(last):
            last = await last
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last value: {last!r})")
