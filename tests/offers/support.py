"""Two bol channels on two sandboxes, offer sync on, for offer tests
(the `two_channels` fixture is in tests/conftest.py)."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

from domain.config import ChannelConfig
from domain.offers.feed import FeedRules
from sandbox.bol.app import create_app
from sandbox.bol.config import BolSandboxConfig
from starter.demo_catalog import seed_demo_catalog
from tests.support import SandboxedBol, bol_channel, eventually
from workers.settings import Settings
from workers.worker import Engine


def sandbox(url: str) -> SandboxedBol:
    app = create_app(BolSandboxConfig(process_delay_seconds=0.02))
    return SandboxedBol(app=app, transport=httpx.ASGITransport(app=app), url=url)


@dataclass
class TwoChannels:
    bol: SandboxedBol
    bol2: SandboxedBol

    def build(
        self,
        tmp_path,
        task_queue: str,
        window: timedelta = timedelta(milliseconds=100),
        feed: FeedRules | None = None,
        **extra: Any,
    ) -> Engine:
        channels: dict[str, ChannelConfig] = {
            name: bol_channel(box.url, offer_sync=True, offer_sync_window=window, feed=feed or FeedRules(), **extra)
            for name, box in (("bol", self.bol), ("bol2", self.bol2))
        }
        settings = Settings(
            data_dir=tmp_path,
            database_url=f"sqlite:///{tmp_path / f'store-{uuid.uuid4().hex[:6]}.db'}",
            task_queue=task_queue,
            channels=dict(channels),
        )
        engine = Engine.build(settings, transports={"bol": self.bol.transport, "bol2": self.bol2.transport})
        seed_demo_catalog(engine.inventory, on_hand=50)
        return engine


def live(box: SandboxedBol, ean: str) -> dict:
    [offer] = [o for o in box.state.offers() if o["ean"] == ean and not o.get("deleted")]
    return offer


def live_stock_is(box: SandboxedBol, ean: str, amount: int) -> Callable[[], bool]:
    """A check for `eventually`: the live offer of `ean` on `box` shows `amount` in stock."""
    return lambda: live(box, ean)["stock"]["amount"] == amount


def stock_updates(box: SandboxedBol) -> list[dict]:
    return [r for r in box.state.requests("/retailer/offers") if r["method"] == "PUT" and r["path"].endswith("/stock")]


async def settled_in_book(engine: Engine, channel: str = "bol") -> None:
    """No update of the channel's is in flight any more: a reconciliation
    compares only offers the channel has settled, and would skip the rest."""
    await eventually(lambda: not engine.offers.in_flight(channel, 1))
