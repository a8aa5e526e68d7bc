"""The demo warehouse restocks through the inventory workflow, like any other
service, so every channel's offer follows its stock."""

from domain.names import INVENTORY_WORKFLOW_ID
from starter.simulators import WarehouseSimulator
from tests.offers.support import live_stock_is
from tests.offers.test_offer_sync import MUG_EAN, publish_catalog
from tests.support import eventually


async def test_a_restock_by_the_warehouse_reaches_every_channel(dev_env, two_channels, tmp_path, task_queue):
    engine = two_channels.build(tmp_path, task_queue)
    async with engine.worker(dev_env.client):
        try:
            await publish_catalog(engine, dev_env.client, [two_channels.bol, two_channels.bol2])
            engine.inventory.set_stock("MUG-BLUE", 3)
            warehouse = WarehouseSimulator(dev_env.client, engine.inventory, restock=(task_queue, 5))

            await warehouse._replenish()

            assert engine.inventory.stock("MUG-BLUE").on_hand == 23
            assert engine.inventory.stock("MUG-RED").on_hand == 50  # above the level: left alone
            for box in (two_channels.bol, two_channels.bol2):
                await eventually(live_stock_is(box, MUG_EAN, 23))
        finally:
            await dev_env.client.get_workflow_handle(INVENTORY_WORKFLOW_ID).terminate("test over")
