"""Kaufland's push notifications at the receiver: taken only at the channel's
secret callback URL, ids checked before they reach a URL or a workflow id,
the order always re-read through the signed API, returns read on a return
event. Hand-overs are recorded instead of reaching Temporal."""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import cast

import httpx
import pytest
from temporalio.client import Client

from activities.channels import Channels
from activities.intake import IntakeActivities
from domain.intake import OrderChange
from tests.support import SandboxedKaufland, kaufland_channel
from workers.settings import WebhookSettings
from workers.webhooks import create_webhook_app

TOKEN = "k" * 40


class HandOver(IntakeActivities):
    def __init__(self, channels: Channels):
        super().__init__(channels, cast(Client, None), "unused")
        self.orders: list[OrderChange] = []
        self.returns_reads = 0

    async def dispatch_order(self, channel: str, change: OrderChange) -> bool:
        self.orders.append(change)
        return True

    async def forward_returns(self, channel: str) -> int:
        self.returns_reads += 1
        await asyncio.sleep(0.05)
        return len(await self.channels[channel].open_returns())


@pytest.fixture
def kaufland() -> SandboxedKaufland:
    return SandboxedKaufland.start()


@pytest.fixture
async def intake(kaufland: SandboxedKaufland) -> AsyncIterator[HandOver]:
    channels = Channels.from_config(
        {
            "kl": kaufland_channel(kaufland.api_url, push_token=TOKEN),
            "kl-quiet": kaufland_channel(kaufland.api_url),
        },
        transports={"kl": kaufland.transport, "kl-quiet": kaufland.transport},
    )
    yield HandOver(channels)
    await channels.aclose()


def receiver(intake: IntakeActivities) -> httpx.AsyncClient:
    app = create_webhook_app(intake, WebhookSettings(max_body_bytes=1024))
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("192.0.2.7", 4000)), base_url="http://hooks"
    )


async def notification(kaufland: SandboxedKaufland, **event: object) -> bytes:
    [delivery] = await kaufland.post("/_sandbox/notifications", event)
    return str(delivery["body"]).encode()


async def test_an_order_event_is_re_read_and_handed_over(kaufland, intake):
    order = await kaufland.place_order([{"ean": "8710103917885", "quantity": 2}])
    unit = order["order_units"][1]["id_order_unit"]
    await kaufland.post(f"/_sandbox/order-units/{unit}/customer-cancel")
    by_order = await notification(kaufland, event_name="order_new", id_order=order["id_order"])
    by_unit = await notification(kaufland, event_name="order_unit_status_changed", id_order_unit=unit)
    async with receiver(intake) as hooks:
        first = await hooks.post(f"/webhooks/kaufland/kl/{TOKEN}", content=by_order)
        second = await hooks.post(f"/webhooks/kaufland/kl/{TOKEN}", content=by_unit)
        verified = await hooks.get(f"/webhooks/kaufland/kl/{TOKEN}")

    assert (first.status_code, first.json()) == (202, {"accepted": order["id_order"]})
    assert second.status_code == 202 and verified.status_code == 200
    assert [c.marketplace_order_id for c in intake.orders] == [order["id_order"]] * 2
    # Read back through the signed API: the buyer's cancellation came with it.
    line_id = str(order["order_units"][0]["id_order_unit"])
    assert intake.orders[0].cancellation_requested_line_ids == [line_id]
    assert kaufland.state.requests(f"/v2/orders/{order['id_order']}")
    assert kaufland.state.requests(f"/v2/order-units/{unit}")


async def test_a_return_event_reads_the_open_returns_once_however_many_arrive(kaufland, intake):
    body = await notification(kaufland, event_name="return_new", id_return_unit=45456701)
    async with receiver(intake) as hooks:
        answers = await asyncio.gather(*(hooks.post(f"/webhooks/kaufland/kl/{TOKEN}", content=body) for _ in range(5)))
    assert {a.status_code for a in answers} == {202}
    assert intake.returns_reads == 1  # the others coalesced into the read under way
    assert sum(1 for a in answers if a.json().get("coalesced")) == 4


async def test_pushes_that_are_not_kauflands_for_this_channel_are_refused_before_any_read(kaufland, intake):
    order = await kaufland.place_order([{"ean": "8710103917885"}])
    good = await notification(kaufland, event_name="order_new", id_order=order["id_order"])
    async with receiver(intake) as hooks:
        answers = {
            "wrong token": await hooks.post(f"/webhooks/kaufland/kl/{'x' * 40}", content=good),
            "no token configured": await hooks.post(f"/webhooks/kaufland/kl-quiet/{TOKEN}", content=good),
            "unknown channel": await hooks.post(f"/webhooks/kaufland/nope/{TOKEN}", content=good),
            "bol's path": await hooks.post("/webhooks/bol/kl", content=good),
            "order id": await hooks.post(
                f"/webhooks/kaufland/kl/{TOKEN}",
                content=json.dumps({"event_name": "order_new", "id_order": "../units"}),
            ),
            "unit id": await hooks.post(
                f"/webhooks/kaufland/kl/{TOKEN}",
                content=json.dumps({"event_name": "order_unit_new", "id_order_unit": "1?x=2"}),
            ),
            "return unit id": await hooks.post(
                f"/webhooks/kaufland/kl/{TOKEN}",
                content=json.dumps({"event_name": "return_new", "id_return_unit": "1/accept"}),
            ),
            "no id": await hooks.post(
                f"/webhooks/kaufland/kl/{TOKEN}", content=json.dumps({"event_name": "order_new"})
            ),
            "not json": await hooks.post(f"/webhooks/kaufland/kl/{TOKEN}", content=b"order_new"),
            "too long": await hooks.post(f"/webhooks/kaufland/kl/{TOKEN}", content=b"{" + b" " * 2000 + b"}"),
        }
        unknown_order = await hooks.post(
            f"/webhooks/kaufland/kl/{TOKEN}", content=json.dumps({"event_name": "order_new", "id_order": "NOSUCH1"})
        )
        offers = await hooks.post(
            f"/webhooks/kaufland/kl/{TOKEN}", content=json.dumps({"event_name": "item_unit_changed"})
        )
        unverified = await hooks.get(f"/webhooks/kaufland/kl/{'x' * 40}")

    assert {name: a.status_code for name, a in answers.items()} == {
        "wrong token": 401,
        "no token configured": 403,
        "unknown channel": 404,
        "bol's path": 404,
        "order id": 400,
        "unit id": 400,
        "return unit id": 400,
        "no id": 400,
        "not json": 400,
        "too long": 413,
    }
    assert answers["order id"].json()["error"].startswith("id_order:")
    assert answers["unit id"].json()["error"].startswith("id_order_unit:")
    assert answers["return unit id"].json()["error"].startswith("id_return_unit:")
    assert "push_token" in answers["no token configured"].json()["error"]
    assert unknown_order.status_code == 202 and "ignored" in unknown_order.json()
    assert offers.json() == {"ignored": "item_unit_changed"} and unverified.status_code == 401
    assert intake.orders == [] and intake.returns_reads == 0
    # Nothing refused reached Kaufland's API; only the unknown order was asked about.
    assert [r["path"] for r in kaufland.state.requests("/v2/")] == ["/v2/orders/NOSUCH1"]


def test_the_push_token_comes_from_a_named_variable_and_reaches_a_worker_process(tmp_path, monkeypatch):
    from domain.config import KauflandChannelConfig
    from workers.settings import Settings, load_settings, settings_env

    config = tmp_path / "ordertide.toml"
    config.write_text(
        '[channels.kl]\nmarketplace = "kaufland"\nclient_key = "key"\nsecret_key = "s"\n'
        'push_token_env = "KL_PUSH_TOKEN"\n'
    )
    monkeypatch.setenv("ORDERTIDE_CONFIG", str(config))
    monkeypatch.setenv("KL_PUSH_TOKEN", TOKEN)
    loaded = load_settings().channels["kl"]
    assert isinstance(loaded, KauflandChannelConfig) and loaded.push_token is not None
    assert loaded.push_token.get_secret_value() == TOKEN

    for key, value in settings_env(Settings(channels={"kl": loaded})).items():
        monkeypatch.setenv(key, value)
    received = Settings().channels["kl"]
    assert isinstance(received, KauflandChannelConfig) and received.push_token is not None
    assert received.push_token.get_secret_value() == TOKEN  # the real token, not its mask
