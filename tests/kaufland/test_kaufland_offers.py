"""Kaufland units follow the one stock, through the same OfferSyncWorkflow as
bol: created and changed unit by unit, a large round as one CSV import file
the worker serves and Kaufland downloads, bad rows named on their offers,
and nightly drift repaired."""

import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal

import pytest_asyncio
from temporalio.service import RPCError

from activities.store.catalog import CatalogStore
from domain import names
from domain.catalog_file import CatalogLine, ProductPatch
from domain.config import ChannelConfig
from domain.ids import offer_reconcile_workflow_id, offer_sync_workflow_id
from domain.offers.model import OfferState
from domain.order.status import OrderStatus
from starter.bench.stack import catalog
from starter.demo_catalog import seed_demo_catalog
from starter.offers_cmd import reasons
from tests.offers.test_offer_sync import ALL_SKUS, MUG_EAN
from tests.support import SandboxedBol, SandboxedKaufland, bol_channel, eventually, kaufland_channel
from tests.workflows.helpers import MUG, place_and_start, wait_for
from workers.settings import Settings
from workers.worker import Engine

KAUFLAND = "kaufland"
PRODUCT_FIELDS = {"sku", "ean", "title", "cost_price", "list_price"}


@pytest_asyncio.fixture
async def ended_offer_syncs(dev_env) -> AsyncIterator[None]:
    yield
    # One offer sync per channel on the shared dev server: end this test's.
    for channel in ("bol", KAUFLAND):
        for workflow_id in (offer_sync_workflow_id(channel), offer_reconcile_workflow_id(channel)):
            with contextlib.suppress(RPCError):
                await dev_env.client.get_workflow_handle(workflow_id).terminate("test over")


def build(tmp_path, task_queue, kaufland: SandboxedKaufland, bol: SandboxedBol | None = None, **kl) -> Engine:
    channels: dict[str, ChannelConfig] = {KAUFLAND: kaufland_channel(kaufland.api_url, offer_sync=True, **kl)}
    transports = {KAUFLAND: kaufland.transport}
    if bol is not None:
        channels["bol"] = bol_channel(bol.url, offer_sync=True, offer_sync_window=timedelta(milliseconds=100))
        transports["bol"] = bol.transport
    settings = Settings(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / f'store-{uuid.uuid4().hex[:6]}.db'}",
        task_queue=task_queue,
        channels=channels,
    )
    return Engine.build(settings, transports=transports)


def unit(box: SandboxedKaufland, ean: str) -> dict:
    [found] = [u for u in box.state.offer_units() if u["ean"] == ean]
    return found


async def test_a_sale_on_bol_moves_the_stock_on_kaufland(dev_env, tmp_path, task_queue, ended_offer_syncs):
    bol = SandboxedBol.start(process_delay_seconds=0.02)
    kaufland = SandboxedKaufland.start()
    engine = build(tmp_path, task_queue, kaufland, bol, offer_sync_window=timedelta(milliseconds=100))
    seed_demo_catalog(engine.inventory, on_hand=50)
    client = dev_env.client
    async with engine.worker(client):
        await engine.notifier(client).changed(ALL_SKUS)
        await eventually(lambda: len(kaufland.state.offer_units()) == len(ALL_SKUS))
        mug = unit(kaufland, MUG_EAN)
        # Integer cents, handling time in days, linked by our SKU.
        assert (mug["amount"], mug["listing_price"], mug["handling_time"], mug["id_offer"]) == (50, 1295, 1, "MUG-BLUE")

        _, handle = await place_and_start(client, bol, task_queue, [{**MUG, "quantity": 2}])
        await wait_for(handle, OrderStatus.AWAITING_PICK)
        await eventually(lambda: unit(kaufland, MUG_EAN)["amount"] == 48)
    # Only that unit's amount was sent.
    patches = [r for r in kaufland.state.requests("/v2/units/") if r["method"] == "PATCH"]
    assert [r["body"] for r in patches] == [{"amount": 48}]


async def test_an_import_file_of_1000_rows_with_3_invalid_applies_997_and_names_the_3_rows(
    dev_env, tmp_path, task_queue, ended_offer_syncs
):
    products = catalog(1000)
    bad = {products[16].ean, products[499].ean, products[998].ean}
    kaufland = SandboxedKaufland.start(unknown_eans=bad, import_step_seconds=0.01)
    engine = build(tmp_path, task_queue, kaufland, import_file_poll=timedelta(milliseconds=50))
    CatalogStore(engine.inventory.db).apply(
        CatalogLine(n, ProductPatch(**p.model_dump(include=PRODUCT_FIELDS), on_hand=7))
        for n, p in enumerate(products, 1)
    )
    client = dev_env.client
    async with engine.worker(client):
        await engine.notifier(client).changed([p.sku for p in products])
        rejected = await eventually(
            lambda: (
                (r := [o for o in engine.offers.offers(KAUFLAND).values() if o.state is OfferState.REJECTED])
                and len(r) == 3
                and r
            ),
            timeout=30,
        )
    assert len(kaufland.state.offer_units()) == 997
    # One file, not 1000 calls; Kaufland downloaded it from the worker.
    [upload] = await kaufland.get("/_sandbox/import-files")
    assert (upload["status"], upload["total_lines"], upload["error_count"]) == ("IMPORTED", 1000, 3)
    assert [r["line"] for r in upload["refused_lines"]] == [17, 500, 999]
    assert not [r for r in kaufland.state.requests("/v2/units") if r["method"] == "POST"]
    accepted = [o for o in engine.offers.offers(KAUFLAND).values() if o.state is OfferState.ACCEPTED]
    assert len(accepted) == 997 and all(o.offer_id for o in accepted)
    by_sku = {o.sku: o for o in rejected}
    for row in (17, 500, 999):
        offer = by_sku[products[row - 1].sku]
        [reason] = offer.rejection_reasons
        assert reason.startswith(f"import file line {row}: ean:") and "not in the Kaufland catalogue" in reason
        # What `ordertide offers show` prints for it.
        shown = reasons({"desired": {"withheld_reason": None}, "accepted": offer.model_dump(mode="json"), "live": None})
        assert f"rejected: import file line {row}: ean:" in shown[0]


async def test_reconciliation_reads_the_units_back_and_repairs_drift(dev_env, tmp_path, task_queue, ended_offer_syncs):
    kaufland = SandboxedKaufland.start()
    engine = build(tmp_path, task_queue, kaufland)
    seed_demo_catalog(engine.inventory, on_hand=50)
    client = dev_env.client
    async with engine.worker(client):
        await engine.notifier(client).changed(ALL_SKUS)
        await eventually(lambda: len(kaufland.state.offer_units()) == len(ALL_SKUS))
        mug = unit(kaufland, MUG_EAN)
        # Someone edits the unit in the seller portal.
        kaufland.state.drift_unit(mug["id_unit"], amount=3, listing_price=999)
        await client.get_workflow_handle(offer_sync_workflow_id(KAUFLAND)).signal(names.SIGNAL_RECONCILE_NOW)
        await eventually(
            lambda: unit(kaufland, MUG_EAN)["amount"] == 50 and unit(kaufland, MUG_EAN)["listing_price"] == 1295
        )
    assert engine.offers.offers(KAUFLAND)["MUG-BLUE"].price == Decimal("12.95")
