"""A change of a whole large catalogue at once: every payload stays under
Temporal's 2 MB, the change reaches the channel, and offer sync keeps going."""

import asyncio
from decimal import Decimal

from domain.ids import offer_sync_workflow_id
from tests.offers.support import live, live_stock_is
from tests.offers.test_offer_sync import MUG_EAN, publish_catalog
from tests.support import eventually
from workflows.offer_sync import OfferSyncWorkflow

# 200,000 SKUs of 17 characters: about 4 MB as one list of SKUs.
ASSORTMENT = [f"ASSORTMENT-{n:06d}" for n in range(200_000)]


def unit_price(box) -> float:
    return live(box, MUG_EAN)["pricing"]["bundlePrices"][0]["unitPrice"]


async def test_a_price_list_for_200000_skus_reaches_the_channel_and_sales_still_follow(
    dev_env, two_channels, tmp_path, task_queue
):
    engine = two_channels.build(tmp_path, task_queue)
    client = dev_env.client
    box = two_channels.bol
    async with engine.worker(client):
        await publish_catalog(engine, client, [box])
        # The whole assortment gets new prices; this channel offers few of its SKUs.
        mug = engine.inventory.product_by_ean(MUG_EAN)
        await asyncio.to_thread(
            engine.inventory.upsert_product, mug.model_copy(update={"list_price": Decimal("20.00")})
        )
        await engine.notifier(client).changed([*ASSORTMENT, mug.sku])
        await eventually(lambda: unit_price(box) == 20.00, timeout=60)

        await asyncio.to_thread(engine.inventory.set_stock, mug.sku, 9)
        await engine.notifier(client).changed([mug.sku])
        await eventually(live_stock_is(box, MUG_EAN, 9), timeout=60)

        handle = client.get_workflow_handle(offer_sync_workflow_id("bol"))
        await eventually(lambda: _drained(handle), timeout=120)


async def _drained(handle) -> bool:
    state = await handle.query(OfferSyncWorkflow.state)
    return state.pending == 0
