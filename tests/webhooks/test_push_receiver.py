"""The bol push receiver's defences, against the bol sandbox (which signs its
pushes as bol does). Everything here is refused before Temporal would be
asked for anything, so the receiver's hand-over is recorded instead."""

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import cast

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from temporalio.client import Client

from activities.channels import Channels
from activities.intake import IntakeActivities
from activities.marketplaces.bol.process import ProcessTracker
from activities.marketplaces.bol.push_keys import PushKeys
from domain.intake import OrderChange
from tests.support import SandboxedBol, bol_channel
from workers.settings import WebhookSettings
from workers.webhooks import create_webhook_app

ORDER = "1200000001"
OFFER = {
    "ean": "8712345678906",
    "condition": {"name": "NEW"},
    "pricing": {"bundlePrices": [{"quantity": 1, "unitPrice": 9.99}]},
    "stock": {"amount": 3, "managedByRetailer": True},
    "fulfilment": {"method": "FBR", "deliveryCode": "24uurs-16"},
}
KEYS = "/retailer/subscriptions/signature-keys"


class HandOver(IntakeActivities):
    """What the receiver handed over; `fail` makes the hand-over fail."""

    def __init__(self, channels: Channels, fail: BaseException | None = None, delay: float = 0.0):
        super().__init__(channels, cast(Client, None), "unused")
        self.orders: list[tuple[str, str]] = []
        self.fail = fail
        self.delay = delay

    async def dispatch_order(self, channel: str, change: OrderChange) -> bool:
        await asyncio.sleep(self.delay)
        if self.fail is not None:
            raise self.fail
        self.orders.append((channel, change.marketplace_order_id))
        return True


@pytest.fixture
async def channels(bol: SandboxedBol) -> AsyncIterator[Channels]:
    channels = Channels.from_config(
        {"bol": bol_channel(bol.url), "unset": bol_channel(bol.url, retailer_id=None)},
        transports={"bol": bol.transport, "unset": bol.transport},
    )
    yield channels
    await channels.aclose()


def receiver(intake: IntakeActivities, settings: WebhookSettings | None = None, client: str = "192.0.2.1"):
    app = create_webhook_app(intake, settings) if settings else create_webhook_app(intake)
    transport = httpx.ASGITransport(app=app, client=(client, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://hooks")


async def signed(bol: SandboxedBol, resource_id: str = ORDER, resource: str = "ORDER") -> tuple[bytes, dict[str, str]]:
    push = await bol.post(
        "/_sandbox/pushes", {"event": {"resource": resource, "type": "NEW", "resourceId": resource_id}}
    )
    return push["body"].encode(), push["headers"]


def signed_by_someone_else(body: bytes, key_id: str) -> dict[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signature = base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()
    return {"signature": f"keyId={key_id},algorithm=rsa-sha256,signature={signature}"}


def key_fetches(bol: SandboxedBol) -> int:
    return len(bol.state.requests(KEYS))


async def test_a_push_bol_signed_is_handed_over(bol, channels):
    intake = HandOver(channels)
    body, headers = await signed(bol)
    async with receiver(intake) as http:
        answer = await http.post("/webhooks/bol/bol", content=body, headers=headers)
    assert (answer.status_code, answer.json()) == (202, {"accepted": ORDER})
    assert intake.orders == [("bol", ORDER)]


async def test_an_unsigned_or_badly_signed_push_gets_401_and_starts_nothing(bol, channels):
    intake = HandOver(channels)
    body, headers = await signed(bol)
    other_order = body.replace(ORDER.encode(), b"1200000002")
    async with receiver(intake) as http:
        answers = [
            await http.post("/webhooks/bol/bol", content=body),
            await http.post("/webhooks/bol/bol", content=other_order, headers=headers),
            await http.post("/webhooks/bol/bol", content=body, headers={"signature": "keyId=0"}),
            await http.post("/webhooks/bol/bol", content=body, headers=signed_by_someone_else(body, key_id="0")),
        ]
    assert [a.status_code for a in answers] == [401] * 4
    assert all(a.json()["error"].startswith("not signed by bol: ") for a in answers)
    assert intake.orders == []


async def test_rotated_keys_are_fetched_again_but_made_up_key_ids_do_not_spend_bols_budget(bol, channels):
    intake = HandOver(channels)
    now = [1000.0]
    adapter = channels["bol"]
    adapter.push_keys = PushKeys(adapter.http, clock=lambda: now[0])
    async with receiver(intake) as http:
        body, headers = await signed(bol)
        assert (await http.post("/webhooks/bol/bol", content=body, headers=headers)).status_code == 202
        assert (await http.post("/webhooks/bol/bol", content=body, headers=headers)).status_code == 202
        assert key_fetches(bol) == 1  # kept, not fetched per push

        for n in range(20):
            forged = signed_by_someone_else(body, key_id=f"made-up-{n}")
            assert (await http.post("/webhooks/bol/bol", content=body, headers=forged)).status_code == 401
        assert key_fetches(bol) == 1

        await bol.post("/_sandbox/signature-keys/rotate")
        body, headers = await signed(bol, "1200000002")
        now[0] += 5  # within the minute after a fetch: bol's retry will get through
        assert (await http.post("/webhooks/bol/bol", content=body, headers=headers)).status_code == 401
        now[0] += 60
        assert (await http.post("/webhooks/bol/bol", content=body, headers=headers)).status_code == 202
    assert key_fetches(bol) == 2
    assert intake.orders == [("bol", ORDER), ("bol", ORDER), ("bol", "1200000002")]


@pytest.mark.parametrize("forged", ["1200000001#x", "../offers/1", "1200000001?page=2", "1200000001/../1", "1 2"])
async def test_an_order_id_not_in_bols_format_gets_400_naming_the_field_and_starts_nothing(bol, channels, forged):
    intake = HandOver(channels)
    body, headers = await signed(bol, forged)
    async with receiver(intake) as http:
        answer = await http.post("/webhooks/bol/bol", content=body, headers=headers)
    assert answer.status_code == 400 and answer.json()["error"].startswith("event.resourceId: ")
    assert intake.orders == []
    assert bol.state.requests("/retailer/orders") == []


async def test_a_push_for_another_seller_account_gets_403_and_starts_nothing(bol, channels):
    intake = HandOver(channels)
    bol.state.update_config(retailer_id="7654321")  # bol signs every account's pushes with the same keys
    body, headers = await signed(bol)
    async with receiver(intake) as http:
        other = await http.post("/webhooks/bol/bol", content=body, headers=headers)
        unconfigured = await http.post("/webhooks/bol/unset", content=body, headers=headers)
    assert other.status_code == 403 and other.json()["error"].startswith("retailerId: '7654321'")
    assert unconfigured.status_code == 403 and "ORDERTIDE_CHANNELS__UNSET__RETAILER_ID" in unconfigured.json()["error"]
    assert intake.orders == []


async def test_a_body_over_the_cap_gets_413_without_being_read_whole(bol, channels):
    intake = HandOver(channels)
    settings = WebhookSettings(max_body_bytes=4096)
    body, headers = await signed(bol)
    padded = json.dumps({**json.loads(body), "padding": "x" * 10_000}).encode()
    streamed: list[int] = []

    async def endless() -> AsyncIterator[bytes]:  # no Content-Length: the receiver must stop reading by itself
        for _ in range(1_000):
            streamed.append(1)
            yield b" " * 1024

    async with receiver(intake, settings) as http:
        declared = await http.post("/webhooks/bol/bol", content=padded, headers=headers)
        chunked = await http.post("/webhooks/bol/bol", content=endless(), headers=headers)
    assert (declared.status_code, chunked.status_code) == (413, 413)
    assert declared.json()["error"].startswith("body: ")
    assert len(streamed) < 1_000
    assert intake.orders == []


async def test_a_flooding_source_gets_429_with_retry_after_while_bol_goes_on(bol, channels):
    intake = HandOver(channels)
    settings = WebhookSettings(requests_per_second=1, burst=3)
    body, headers = await signed(bol)
    app = create_webhook_app(intake, settings)

    def client(address: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 1)), base_url="http://hooks")

    async with client("198.51.100.7") as flood, client("192.0.2.1") as from_bol:
        flooded = [(await flood.post("/webhooks/bol/bol", content=b"{}")) for _ in range(10)]
        real = await from_bol.post("/webhooks/bol/bol", content=body, headers=headers)
    assert [a.status_code for a in flooded] == [401] * 3 + [429] * 7
    assert int(flooded[-1].headers["Retry-After"]) >= 1
    assert real.status_code == 202
    assert intake.orders == [("bol", ORDER)]


async def test_a_push_that_cannot_be_handed_over_gets_503_so_bol_delivers_it_again(bol, channels):
    body, headers = await signed(bol)
    failing = HandOver(channels, fail=RuntimeError("Temporal is down"))
    slow = HandOver(channels, delay=5)
    settings = WebhookSettings(handoff_timeout=timedelta(milliseconds=100))
    async with receiver(failing, settings) as down, receiver(slow, settings) as stuck:
        answers = [
            await down.post("/webhooks/bol/bol", content=body, headers=headers),
            await stuck.post("/webhooks/bol/bol", content=body, headers=headers),
        ]
    assert [a.status_code for a in answers] == [503, 503]
    assert all(a.headers["Retry-After"] for a in answers)


async def test_when_bols_keys_cannot_be_read_the_push_gets_503_not_401(bol, channels):
    intake = HandOver(channels)
    bol.state.add_fault(path=KEYS, kind="status", status=503, times=1)
    body, headers = await signed(bol)
    async with receiver(intake) as http:
        answer = await http.post("/webhooks/bol/bol", content=body, headers=headers)
        again = await http.post("/webhooks/bol/bol", content=body, headers=headers)
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    assert again.status_code == 202


async def test_non_order_pushes_are_acknowledged_without_a_hand_over(bol, channels):
    intake = HandOver(channels)
    body, headers = await signed(bol, "123", resource="SHIPMENT")
    async with receiver(intake) as http:
        answer = await http.post("/webhooks/bol/bol", content=body, headers=headers)
    assert (answer.status_code, answer.json()) == (202, {"ignored": "SHIPMENT"})
    assert intake.orders == []


async def test_a_process_status_push_makes_the_waiting_command_look_its_status_up_at_once(bol, channels):
    adapter = channels["bol"]
    # Subscribed to PROCESS_STATUS pushes: polling is only the safety net, its
    # first look far beyond what this test waits.
    adapter.tracker = ProcessTracker(adapter.http, min_interval=60.0, pushes=True)
    created = await adapter.http.call("POST", "/retailer/offers", json=OFFER, ok=(202,))
    process_id = created.json()["processStatusId"]
    waiting = asyncio.create_task(adapter.tracker.wait(process_id, patience=600))
    await asyncio.sleep(0.1)  # the sandbox finishes it after 50 ms; bol then pushes
    body, headers = await signed(bol, process_id, resource="PROCESS_STATUS")
    unknown_body, unknown_headers = await signed(bol, "424242", resource="PROCESS_STATUS")
    async with receiver(HandOver(channels)) as http:
        answer = await http.post("/webhooks/bol/bol", content=body, headers=headers)
        unknown = await http.post("/webhooks/bol/bol", content=unknown_body, headers=unknown_headers)
    assert (answer.status_code, answer.json()) == (202, {"looked_up": True})
    assert (unknown.status_code, unknown.json()) == (202, {"looked_up": False})
    final = await asyncio.wait_for(waiting, timeout=2)
    assert final.status == "SUCCESS"
    assert adapter.tracker.polls == 1


async def test_a_listed_key_that_cannot_be_read_does_not_refuse_pushes_signed_with_the_others(
    bol, channels, monkeypatch
):
    intake = HandOver(channels)
    keys = bol.state.push_keys
    listed = keys.key_set()["signatureKeys"]
    broken = {"id": "broken", "type": "RSA", "publicKey": base64.b64encode(b"not a key").decode()}
    monkeypatch.setattr(keys, "key_set", lambda: {"signatureKeys": [broken, *listed]})
    body, headers = await signed(bol)
    async with receiver(intake) as http:
        unsigned = await http.post("/webhooks/bol/bol", content=body)
        answer = await http.post("/webhooks/bol/bol", content=body, headers=headers)
    assert (unsigned.status_code, answer.status_code) == (401, 202)
    assert intake.orders == [("bol", ORDER)]


async def test_a_key_set_bol_garbled_gets_503_not_a_crash(bol, channels, monkeypatch):
    intake = HandOver(channels)
    monkeypatch.setattr(bol.state.push_keys, "key_set", lambda: {"signatureKeys": "garbled"})
    body, headers = await signed(bol)
    async with receiver(intake) as http:
        answer = await http.post("/webhooks/bol/bol", content=body, headers=headers)
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    assert intake.orders == []
