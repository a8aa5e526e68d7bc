"""Orders accepted while the store is busy: their store calls wait on the
store's own threads, and the worker's default pool (DNS lookups, every
asyncio.to_thread) stays free for the rest of the worker."""

import asyncio

from activities.notify import StockNotifier
from activities.orders import OrderActivities
from domain.channels import Marketplace
from domain.order.view import OrderRef
from tests.store.locks import default_pool_stays_free, stock_row_locked
from tests.workflows.helpers import MUG


async def test_orders_waiting_on_a_busy_store_leave_the_default_thread_pool_free(engines, bol):
    engine = engines.build("unused")
    orders = OrderActivities(
        engine.channels, engine.inventory, engine.ledger, engine.rules, StockNotifier(None, "", {})
    )
    placed = [await bol.place_order([{**MUG, "quantity": 1}]) for _ in range(12)]
    try:
        with stock_row_locked(engine.settings.store_url, "MUG-BLUE"):
            waiting = [
                asyncio.create_task(
                    orders.accept_order(
                        OrderRef(channel="bol", marketplace=Marketplace.BOL, marketplace_order_id=o["orderId"])
                    )
                )
                for o in placed
            ]
            await default_pool_stays_free(waiting, settle=1)
        await asyncio.gather(*waiting, return_exceptions=True)
    finally:
        await engine.aclose()
