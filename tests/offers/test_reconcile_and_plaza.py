"""Nightly reconciliation repairs drift; Plaza works as a channel's offer transport."""

from datetime import timedelta

import httpx
from pydantic import SecretStr

from domain.config import ChannelConfig, PlazaConfig
from domain.ids import offer_sync_workflow_id
from domain.names import SIGNAL_RECONCILE_NOW
from domain.order.status import OrderStatus
from sandbox.plaza.app import create_app as create_plaza
from starter.demo_catalog import seed_demo_catalog
from tests.offers.support import live, settled_in_book
from tests.offers.test_offer_sync import ALL_SKUS, MUG_EAN, publish_catalog
from tests.support import bol_channel, eventually
from tests.workflows.helpers import MUG, place_and_start, wait_for
from workers.settings import Settings
from workers.worker import Engine
from workflows.offer_sync import OfferSyncWorkflow


async def test_reconciliation_finds_an_edit_made_in_the_seller_portal_and_repairs_it(
    dev_env, two_channels, tmp_path, task_queue
):
    engine = two_channels.build(tmp_path, task_queue)
    client = dev_env.client
    box = two_channels.bol
    async with engine.worker(client):
        await publish_catalog(engine, client, [box])
        await settled_in_book(engine)
        offer_id = live(box, MUG_EAN)["offerId"]
        box.state.drift_offer(offer_id, stock=3, onHoldByRetailer=True)  # someone edits bol's portal
        handle = client.get_workflow_handle(offer_sync_workflow_id("bol"))
        await handle.signal(SIGNAL_RECONCILE_NOW)
        await eventually(
            lambda: live(box, MUG_EAN)["stock"]["amount"] == 50 and not live(box, MUG_EAN)["onHoldByRetailer"],
            timeout=20,
        )
        state = await handle.query(OfferSyncWorkflow.state)
    assert state.last_reconcile.drifted == ["MUG-BLUE"]
    assert state.last_reconcile.live == len(ALL_SKUS)
    assert any(r["path"].startswith("/retailer/offers/export") for r in box.state.requests("/retailer/offers"))


async def test_a_plaza_channel_follows_stock_through_the_xml_upsert(dev_env, two_channels, tmp_path, task_queue):
    plaza = create_plaza(public_key="pk", private_key="sk")
    channels: dict[str, ChannelConfig] = {
        "bol": bol_channel(two_channels.bol.url),
        "plaza": bol_channel(
            two_channels.bol2.url,
            offer_sync=True,
            offer_sync_window=timedelta(milliseconds=100),
            offer_transport="plaza",
            plaza=PlazaConfig(base_url="http://plaza.sandbox", public_key="pk", private_key=SecretStr("sk")),
        ),
    }
    settings = Settings(
        data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'p.db'}", task_queue=task_queue, channels=dict(channels)
    )
    engine = Engine.build(
        settings,
        transports={
            "bol": two_channels.bol.transport,
            "plaza": two_channels.bol2.transport,
            "plaza:plaza": httpx.ASGITransport(app=plaza),
        },
    )
    seed_demo_catalog(engine.inventory, on_hand=50)
    client = dev_env.client
    try:
        async with engine.worker(client):
            await engine.notifier(client).changed(ALL_SKUS)
            await eventually(lambda: len(plaza.state.plaza.offers) == len(ALL_SKUS))
            _, handle = await place_and_start(client, two_channels.bol, task_queue, [{**MUG, "quantity": 5}])
            await wait_for(handle, OrderStatus.AWAITING_PICK)
            await eventually(lambda: plaza.state.plaza.offers[(MUG_EAN, "NEW")].quantity_in_stock == 45)
    finally:
        await client.get_workflow_handle(offer_sync_workflow_id("plaza")).terminate("test over")
        await engine.aclose()
    offer = engine.offers.offers("plaza")["MUG-BLUE"]
    assert offer.offer_id == f"{MUG_EAN}:NEW" and offer.stock == 45
    assert all(r.status == 202 for r in plaza.state.plaza.requests)
