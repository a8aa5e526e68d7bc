"""Reading the portal's API by date-time range, without Temporal: every
page is read, overlapping windows and repeated reads save each order once,
an order the portal files late is still found, and an order the API lists
in a shape we cannot read is named and skipped while the rest flow. And a
supplier channel's settings survive the trip to a separate worker process."""

import dataclasses
import hashlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from pydantic import SecretStr
from temporalio.testing import ActivityEnvironment

from activities.channels import Channels
from activities.marketplaces.supplier.adapter import SupplierAdapter
from activities.orders import NOT_VISIBLE_ATTEMPTS, OrderActivities
from activities.store import Database, SupplierInboxStore
from activities.store.tables import SupplierInboxRow
from activities.supplier_inbox import StoreInbox
from domain.channels import Marketplace
from domain.config import SupplierApiSettings
from domain.errors import BusinessError, OrderNotVisible
from domain.intake import UnreadableItem
from domain.order.view import OrderRef
from tests.supplier.support import MUG, Portal, supplier_channel
from workers.settings import Settings, settings_env


@pytest.fixture
def inbox(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'store.db'}")
    db.create_schema()
    yield StoreInbox(SupplierInboxStore(db))
    db.dispose()


async def test_every_page_is_read_and_overlapping_windows_save_each_order_once(inbox):
    portal = Portal.start()
    now = datetime.now(UTC)
    placed = [(await portal.place([MUG], push=False))["order_number"] for _ in range(5)]
    # Filed late by the portal: placed 3 minutes ago, inside the 5-minute overlap.
    late = (await portal.place([MUG], push=False, placed_at=(now - timedelta(minutes=3)).isoformat()))["order_number"]
    # Filed so late that only a sweep (the lookback) finds it.
    later = (await portal.place([MUG], push=False, placed_at=(now - timedelta(hours=2)).isoformat()))["order_number"]
    config = supplier_channel(
        api=SupplierApiSettings(base_url="http://portal.sandbox", api_key=SecretStr("sandbox"), page_size=2)
    )
    adapter = SupplierAdapter("supplier-api", config, inbox, transport=portal.transport)
    skipped: list[UnreadableItem] = []
    try:
        first = await adapter.changed_orders(now - timedelta(seconds=1), now + timedelta(seconds=1), skipped.append)
        assert sorted(c.marketplace_order_id for c in first) == sorted([*placed, late])
        for number in placed[:3]:  # their workflows read them
            await adapter.get_order(number)
        again = await adapter.changed_orders(now, now + timedelta(seconds=2), skipped.append)
        assert sorted(c.marketplace_order_id for c in again) == sorted([*placed[3:], late])
        swept = await adapter.changed_orders(None, now + timedelta(seconds=2), skipped.append)
        assert later in {c.marketplace_order_id for c in swept}
    finally:
        await adapter.aclose()
    assert skipped == []
    deliveries = [await inbox.get("supplier-api", n) for n in placed]
    assert all(d is not None for d in deliveries)


async def test_an_order_the_api_lists_unreadably_is_named_and_the_rest_flow(inbox):
    portal = Portal.start()
    good = (await portal.place([MUG], push=False))["order_number"]
    bad = (await portal.place([{"sku": "MUG-BLUE", "quantity": 0, "price": "1.00"}], push=False))["order_number"]
    adapter = SupplierAdapter("supplier-api", supplier_channel(), inbox, transport=portal.transport)
    skipped: list[UnreadableItem] = []
    try:
        changes = await adapter.changed_orders(None, datetime.now(UTC) + timedelta(seconds=1), skipped.append)
    finally:
        await adapter.aclose()
    assert [c.marketplace_order_id for c in changes] == [good]
    assert [(s.item_id, s.reason) for s in skipped] == [
        (bad, "items.0.quantity: Input should be greater than or equal to 1")
    ]


def test_a_supplier_channel_reaches_a_separate_worker_with_its_secrets(monkeypatch):
    channel = supplier_channel(webhook=True, stock_feed=True)
    for key, value in settings_env(Settings(channels={"dropmart": channel})).items():
        monkeypatch.setenv(key, value)
    received = Settings().channels["dropmart"]
    assert received == channel
    assert received.api.api_key is not None and received.api.api_key.get_secret_value() == "sandbox"


async def test_an_order_the_portal_never_shows_needs_attention_after_a_few_minutes_of_asking(inbox):
    portal = Portal.start()
    channels = Channels.from_config({"supplier-api": supplier_channel()}, {"supplier-api": portal.transport}, inbox)
    orders = OrderActivities(channels, *cast(Any, [None] * 4))
    ref = OrderRef(channel="supplier-api", marketplace=Marketplace.SUPPLIER, marketplace_order_id="PO-NEVER")
    env = ActivityEnvironment()
    try:
        with pytest.raises(OrderNotVisible):  # early on: retried
            await env.run(orders._read_order, ref)
        env.info = dataclasses.replace(env.info, attempt=NOT_VISIBLE_ATTEMPTS)
        with pytest.raises(BusinessError, match="after 10 tries: resume once supplier shows order PO-NEVER"):
            await env.run(orders._read_order, ref)
    finally:
        await channels.aclose()


@dataclasses.dataclass
class PolledOrder:
    """One order on the portal's API, read once by the supplier channel."""

    portal: Portal
    adapter: SupplierAdapter
    number: str
    polled_at: datetime
    skipped: list[UnreadableItem]

    async def poll_again(self) -> None:
        now = self.polled_at
        await self.adapter.changed_orders(now - timedelta(seconds=1), now + timedelta(seconds=2), self.skipped.append)


@pytest.fixture
async def polled_order(inbox) -> AsyncIterator[PolledOrder]:
    portal = Portal.start()
    now = datetime.now(UTC)
    number = (await portal.place([MUG], push=False))["order_number"]
    config = supplier_channel(api=SupplierApiSettings(base_url="http://portal.sandbox", api_key=SecretStr("sandbox")))
    adapter = SupplierAdapter("supplier-api", config, inbox, transport=portal.transport)
    skipped: list[UnreadableItem] = []
    try:
        await adapter.changed_orders(now - timedelta(seconds=1), now + timedelta(seconds=1), skipped.append)
        yield PolledOrder(portal, adapter, number, now, skipped)
    finally:
        await adapter.aclose()


async def test_an_order_read_again_after_we_accepted_it_is_no_conflict_but_other_content_is(inbox, polled_order):
    """The demo warned on every poll: polling re-reads orders whose status we
    moved on the portal, and that counted as other content."""
    number = polled_order.number
    await polled_order.adapter.get_order(number)
    accepted = await polled_order.portal.call(
        "POST", f"/_sandbox/orders/{number}/manual-status", {"status": "processing", "note": "with the warehouse"}
    )
    assert accepted.status_code == 200, accepted.text
    await polled_order.poll_again()
    assert polled_order.skipped == []
    # Other content under the same number still keeps the first and says so.
    first = await inbox.get("supplier-api", number)
    assert first is not None
    edited = first.model_copy(update={"items": [first.items[0].model_copy(update={"quantity": 7})]})
    saved = await inbox.save("supplier-api", edited, "api")
    assert saved.conflict is not None and "other content than its first delivery" in saved.conflict
    kept = await inbox.get("supplier-api", number)
    assert kept is not None and kept.items[0].quantity == first.items[0].quantity


async def test_an_order_saved_by_older_code_is_no_conflict_when_read_again(inbox, polled_order):
    """Older code hashed the whole body, status included: the first repeat re-hashes the row."""
    with inbox.store.db.session() as s, s.begin():
        row = s.get(SupplierInboxRow, ("supplier-api", polled_order.number))
        assert row is not None
        row.content_hash = hashlib.sha256(row.body.encode()).hexdigest()
        s.add(row)
    await polled_order.poll_again()
    assert polled_order.skipped == []
