"""Offer sync: a sale anywhere changes the offer everywhere, only the
difference is sent, changes are coalesced, rejections do not loop."""

import asyncio
import functools
from datetime import timedelta
from decimal import Decimal

from domain.ids import offer_sync_workflow_id
from domain.offers.feed import FeedRules
from domain.offers.model import DesiredOffer, OfferChange, OfferChangeKind, OfferState
from domain.offers.sync import OfferSyncInput
from domain.order.status import OrderStatus
from starter.demo_catalog import DEMO_PRODUCTS
from tests.offers.support import live, live_stock_is, stock_updates
from tests.support import SandboxedBol, eventually
from tests.workflows.helpers import MUG, place_and_start, wait_for
from workflows.offer_sync import OfferSyncWorkflow

MUG_EAN = MUG["ean"]
LAMP_EAN = "4006381333931"
ALL_SKUS = [p.sku for p in DEMO_PRODUCTS]


def in_state(engine, channel: str, sku: str, state: OfferState):
    """The channel offer as our store recorded it, once it is in `state`."""
    offer = engine.offers.offers(channel).get(sku)
    return offer if offer is not None and offer.state == state else None


def _publishes_all(box: SandboxedBol) -> bool:
    return len(box.state.offers()) == len(ALL_SKUS)


async def publish_catalog(engine, client, boxes) -> None:
    await engine.notifier(client).changed(ALL_SKUS)
    for box in boxes:
        await eventually(functools.partial(_publishes_all, box))


async def test_a_sale_on_one_channel_updates_the_stock_on_every_channel(dev_env, two_channels, tmp_path, task_queue):
    engine = two_channels.build(tmp_path, task_queue)
    client = dev_env.client
    async with engine.worker(client):
        await publish_catalog(engine, client, [two_channels.bol, two_channels.bol2])
        assert live(two_channels.bol2, MUG_EAN)["stock"]["amount"] == 50
        assert live(two_channels.bol2, MUG_EAN)["pricing"]["bundlePrices"][0]["unitPrice"] == 12.95

        _, handle = await place_and_start(client, two_channels.bol, task_queue, [{**MUG, "quantity": 2}])
        await wait_for(handle, OrderStatus.AWAITING_PICK)
        for box in (two_channels.bol, two_channels.bol2):
            await eventually(live_stock_is(box, MUG_EAN, 48))
        accepted = await eventually(
            lambda: (offer := in_state(engine, "bol2", "MUG-BLUE", OfferState.ACCEPTED)) and offer.stock == 48 and offer
        )
    # Only the offer that changed was sent, and only its stock.
    assert [r["path"] for r in stock_updates(two_channels.bol2)] == [f"/retailer/offers/{accepted.offer_id}/stock"]
    assert not [r for r in two_channels.bol2.state.requests("/retailer/offers") if r["path"].endswith("/price")]


async def test_a_hundred_changes_in_one_window_cost_one_stock_call(dev_env, two_channels, tmp_path, task_queue):
    engine = two_channels.build(tmp_path, task_queue, window=timedelta(seconds=5))
    client = dev_env.client
    async with engine.worker(client):
        await publish_catalog(engine, client, [two_channels.bol])
        notifier = engine.notifier(client)

        async def sale() -> None:
            await asyncio.to_thread(engine.inventory.adjust_stock, "MUG-BLUE", 1)
            await notifier.changed(["MUG-BLUE"])

        # Concurrent, as a hundred order workflows would tell it: one after
        # another, 200 signals can outlast the window on a slow machine.
        await asyncio.gather(*(sale() for _ in range(100)))
        await eventually(lambda: live(two_channels.bol, MUG_EAN)["stock"]["amount"] == 150, timeout=20)
        await asyncio.sleep(1)
    assert len(stock_updates(two_channels.bol)) == 1
    assert len(stock_updates(two_channels.bol2)) == 1


async def test_a_refused_update_marks_the_offer_rejected_and_does_not_loop(dev_env, two_channels, tmp_path, task_queue):
    engine = two_channels.build(tmp_path, task_queue)
    client = dev_env.client
    box = two_channels.bol
    async with engine.worker(client):
        await publish_catalog(engine, client, [box])
        box.state.add_fault(
            path="/retailer/offers/{offer-id}/stock",
            kind="process_failure",
            errorMessage="Stock of this offer is managed by bol (FBB)",
            times=1,
        )
        notifier = engine.notifier(client)
        await asyncio.to_thread(engine.inventory.set_stock, "MUG-BLUE", 30)
        await notifier.changed(["MUG-BLUE"])
        rejected = await eventually(lambda: in_state(engine, "bol", "MUG-BLUE", OfferState.REJECTED))
        assert rejected.rejection_reasons == ["Stock of this offer is managed by bol (FBB)"]
        assert rejected.stock == 50  # still what bol last accepted

        for _ in range(3):  # nothing changed since the refusal: nothing is sent again
            await notifier.changed(["MUG-BLUE"])
        await asyncio.sleep(1)
        assert len(stock_updates(box)) == 1

        await asyncio.to_thread(engine.inventory.set_stock, "MUG-BLUE", 31)
        await notifier.changed(["MUG-BLUE"])
        await eventually(lambda: live(box, MUG_EAN)["stock"]["amount"] == 31)
        await eventually(lambda: in_state(engine, "bol", "MUG-BLUE", OfferState.ACCEPTED))


async def test_the_margin_floor_withholds_an_offer_and_a_better_price_restores_it(
    dev_env, two_channels, tmp_path, task_queue
):
    engine = two_channels.build(tmp_path, task_queue, feed=FeedRules(margin_floor_percent=Decimal("50")))
    client = dev_env.client
    box = two_channels.bol
    async with engine.worker(client):
        await publish_catalog(engine, client, [box])
        assert live(box, MUG_EAN)["onHoldByRetailer"] is False
        notifier = engine.notifier(client)
        product = engine.inventory.product_by_ean(MUG_EAN)
        await asyncio.to_thread(
            engine.inventory.upsert_product, product.model_copy(update={"list_price": Decimal("6.00")})
        )
        await notifier.changed(["MUG-BLUE"])
        await eventually(lambda: live(box, MUG_EAN)["onHoldByRetailer"] is True)
        withheld = await eventually(lambda: in_state(engine, "bol", "MUG-BLUE", OfferState.WITHHELD))
        assert "under the floor of 50%" in withheld.rejection_reasons[0]
        assert not live(box, MUG_EAN).get("deleted")  # on hold, not deleted

        await asyncio.to_thread(engine.inventory.upsert_product, product)
        await notifier.changed(["MUG-BLUE"])
        await eventually(lambda: live(box, MUG_EAN)["onHoldByRetailer"] is False)
        await eventually(lambda: in_state(engine, "bol", "MUG-BLUE", OfferState.ACCEPTED))


async def test_continue_as_new_carries_the_pending_changes(dev_env, two_channels, tmp_path, task_queue):
    engine = two_channels.build(tmp_path, task_queue)
    client = dev_env.client
    box = two_channels.bol
    # One round per run: every round ends in continue-as-new.
    await client.start_workflow(
        OfferSyncWorkflow.run,
        OfferSyncInput(channel="bol", window=timedelta(milliseconds=100), rounds_per_run=1),
        id=offer_sync_workflow_id("bol"),
        task_queue=task_queue,
    )
    async with engine.worker(client):
        await publish_catalog(engine, client, [box])
        # Slow stock updates: the next change arrives while a round is still sending.
        box.state.add_fault(path="/retailer/offers/{offer-id}/stock", kind="slow", delaySeconds=1.5, times=1)
        await asyncio.to_thread(engine.inventory.set_stock, "MUG-BLUE", 10)
        await engine.notifier(client).changed(["MUG-BLUE"])
        await eventually(lambda: stock_updates(box))  # the slow round is sending
        await asyncio.to_thread(engine.inventory.set_stock, "LAMP-DESK", 7)
        await engine.notifier(client).changed(["LAMP-DESK"])
        await eventually(lambda: live(box, LAMP_EAN)["stock"]["amount"] == 7)
    runs = [wf async for wf in client.list_workflows(f"WorkflowId = '{offer_sync_workflow_id('bol')}'")]
    assert len(runs) >= 3  # publish, MUG round and LAMP round each ran in a run of their own
    assert live(box, MUG_EAN)["stock"]["amount"] == 10


async def test_an_offer_created_before_a_crash_is_taken_over_and_keeps_following_stock(
    dev_env, two_channels, tmp_path, task_queue
):
    engine = two_channels.build(tmp_path, task_queue)
    client = dev_env.client
    box = two_channels.bol
    # A sync attempt created the mug's offer on bol, then the worker died
    # before our store heard its id.
    orphan = DesiredOffer(sku="MUG-BLUE", ean=MUG_EAN, price=Decimal("9.99"), stock=3, delivery_code="24uurs-16")
    [first] = await engine.channels["bol"].push_offers(
        [OfferChange(sku="MUG-BLUE", kinds=[OfferChangeKind.CREATE], desired=orphan)], _ignore
    )
    async with engine.worker(client):
        await publish_catalog(engine, client, [box])
        adopted = await eventually(lambda: in_state(engine, "bol", "MUG-BLUE", OfferState.ACCEPTED))
        assert adopted.offer_id == first.offer_id
        await eventually(live_stock_is(box, MUG_EAN, 50))

        await asyncio.to_thread(engine.inventory.set_stock, "MUG-BLUE", 30)
        await engine.notifier(client).changed(["MUG-BLUE"])
        await eventually(live_stock_is(box, MUG_EAN, 30))
    assert [o["offerId"] for o in box.state.offers() if o["ean"] == MUG_EAN] == [first.offer_id]


async def _ignore(_outcome) -> None:
    return None
