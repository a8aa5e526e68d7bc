"""Eight worker processes reserving the last units of one SKU at the same
moment on PostgreSQL: exactly the units on hand are reserved, never more."""

import multiprocessing

from activities.store import Database, InventoryStore
from tests.store.conftest import MUG
from tests.store.race import reserve_lines

PROCESSES = 8
LINES_EACH = 6
ON_HAND = 10


def test_eight_processes_never_oversell_the_last_units(postgres_url):
    db = Database(postgres_url)
    db.create_schema()
    inventory = InventoryStore(db)
    inventory.upsert_product(MUG)
    inventory.set_stock("MUG", ON_HAND)

    context = multiprocessing.get_context("spawn")
    barrier = context.Manager().Barrier(PROCESSES)
    with context.Pool(PROCESSES) as pool:
        results = pool.starmap(reserve_lines, [(postgres_url, w, LINES_EACH, barrier) for w in range(PROCESSES)])

    winners = [key for won in results for key in won]
    assert len(winners) == ON_HAND  # 48 lines asked, exactly the 10 units on hand were promised
    assert len(set(winners)) == ON_HAND
    assert sum(1 for won in results if won) > 1  # the race was real: several processes won units
    stock = inventory.stock("MUG")
    assert (stock.on_hand, stock.reserved, stock.available) == (ON_HAND, ON_HAND, 0)
    assert len(inventory.reservations("bol")) == ON_HAND
    db.dispose()
