"""Stock changes from outside, on SQLite and PostgreSQL: each happens once,
what the store refuses is refused for good, and a busy store neither
outlives the activity that called it nor holds up the rest of the worker."""

import asyncio
import time

import pytest
from sqlalchemy.exc import OperationalError
from temporalio.exceptions import ApplicationError

from activities.inventory import InventoryActivities
from activities.notify import StockNotifier
from domain.stock import STOCK_REJECTED_ERROR_TYPE, StockCommand
from tests.store.locks import default_pool_stays_free, stock_row_locked
from workflows.inventory import STOCK_TIMEOUT


def activities(inventory) -> InventoryActivities:
    return InventoryActivities(inventory, StockNotifier(None, "unused", {}))


def test_a_retried_adjustment_is_applied_once(inventory):
    inventory.set_stock("MUG", 5)
    inventory.adjust_stock("MUG", 3, request_id="update-1")
    again = inventory.adjust_stock("MUG", 3, request_id="update-1")  # the retry after a timeout
    assert again.on_hand == 8
    inventory.adjust_stock("MUG", -1, request_id="update-2")
    assert inventory.stock("MUG").on_hand == 7


def test_a_late_retry_of_a_set_does_not_undo_a_later_one(inventory):
    inventory.set_stock("MUG", 5, request_id="update-1")
    inventory.set_stock("MUG", 9, request_id="update-2")
    inventory.set_stock("MUG", 5, request_id="update-1")
    assert inventory.stock("MUG").on_hand == 9


async def test_an_unknown_sku_or_stock_below_zero_is_refused_for_good_with_the_reason(inventory):
    inventory.set_stock("MUG", 1)
    acts = activities(inventory)
    with pytest.raises(ApplicationError) as unknown:
        await acts.adjust_stock(StockCommand(sku="NOPE", quantity=1, request_id="u1"))
    with pytest.raises(ApplicationError) as below:
        await acts.adjust_stock(StockCommand(sku="MUG", quantity=-2, request_id="u2"))
    for refused in (unknown.value, below.value):
        assert refused.non_retryable and refused.type == STOCK_REJECTED_ERROR_TYPE
    assert unknown.value.message == "unknown SKU 'NOPE'"
    assert "MUG would drop below zero" in below.value.message
    assert inventory.stock("MUG").on_hand == 1
    # A refused change leaves no key behind: the same request, corrected, still goes.
    await acts.adjust_stock(StockCommand(sku="MUG", quantity=-1, request_id="u2"))
    assert inventory.stock("MUG").on_hand == 0


def test_a_store_call_behind_a_lock_gives_up_before_the_activity_does(inventory, database_url):
    inventory.set_stock("MUG", 5)
    started = time.monotonic()
    with stock_row_locked(database_url, "MUG"), pytest.raises(OperationalError):
        inventory.adjust_stock("MUG", 1)
    # Given up well before the activity's timeout: no commit can land behind its retry's back.
    assert time.monotonic() - started < STOCK_TIMEOUT.total_seconds() - 10
    assert inventory.stock("MUG").on_hand == 5


async def test_a_busy_store_leaves_the_default_thread_pool_free(inventory, database_url):
    """DNS lookups and every asyncio.to_thread share the default pool (6
    threads on 2 cores): store calls waiting on a lock must not fill it."""
    inventory.set_stock("MUG", 5)
    acts = activities(inventory)
    with stock_row_locked(database_url, "MUG"):
        waiting = [
            asyncio.create_task(acts.adjust_stock(StockCommand(sku="MUG", quantity=1, request_id=f"u{i}")))
            for i in range(12)
        ]
        await default_pool_stays_free(waiting, settle=0.5)
    await asyncio.gather(*waiting, return_exceptions=True)


async def test_the_store_works_again_after_it_was_closed(inventory):
    acts = activities(inventory)
    await acts.set_stock(StockCommand(sku="MUG", quantity=2, request_id="u1"))
    inventory.db.dispose()  # a worker shut down and built again around the same store
    level = await acts.adjust_stock(StockCommand(sku="MUG", quantity=1, request_id="u2"))
    assert level.on_hand == 3
