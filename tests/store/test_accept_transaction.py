"""Accepting an order keeps it in the ledger and reserves its lines in one
store transaction (OrderActivities._accept): a failure part-way leaves
neither the order nor a reservation behind, for the retry to start clean,
and two accepts of the same order at once (its push and a poll) keep one
copy and reserve once."""

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from activities.orders import OrderActivities
from activities.store import Database, InventoryStore, OrderLedger
from activities.store.tables import StockLevel
from domain.catalog import Product
from domain.channels import Marketplace
from domain.ids import line_key
from domain.order.marketplace import Order, OrderLine
from tests.store.conftest import MUG

LAMP = Product(sku="LAMP", ean="5400000000003", title="Lamp")


def _order(order_id: str = "A-1") -> Order:
    return Order(
        channel="bol",
        marketplace=Marketplace.BOL,
        marketplace_order_id=order_id,
        placed_at=datetime.now(UTC),
        lines=[
            OrderLine(line_id="1", ean=MUG.ean, quantity=2, unit_price=Decimal("9.95")),
            OrderLine(line_id="2", ean=LAMP.ean, quantity=1, unit_price=Decimal("24.95")),
        ],
    )


def _accept(inventory: InventoryStore, ledger: OrderLedger) -> Callable[[Order], Any]:
    activities = OrderActivities(cast(Any, None), inventory, ledger, *cast(Any, [None] * 2))
    return activities._accept


@pytest.fixture
def stocked(inventory: InventoryStore) -> InventoryStore:
    inventory.upsert_product(LAMP)
    inventory.set_stock(MUG.sku, 5)
    inventory.set_stock(LAMP.sku, 5)
    return inventory


def test_an_accept_that_fails_part_way_keeps_nothing(stocked: InventoryStore, ledger: OrderLedger):
    def connection_lost_at_the_lamp(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.startswith(f"UPDATE {StockLevel.__tablename__}") and LAMP.sku in str(parameters):
            raise OperationalError(statement, parameters, Exception("server closed the connection"))

    event.listen(stocked.db.engine, "before_cursor_execute", connection_lost_at_the_lamp)
    with pytest.raises(OperationalError):
        _accept(stocked, ledger)(_order())
    event.remove(stocked.db.engine, "before_cursor_execute", connection_lost_at_the_lamp)

    assert ledger.order("bol", "A-1") is None
    assert stocked.reservation(line_key("bol", "A-1", "1")) is None
    assert stocked.stock(MUG.sku).reserved == 0

    # The store is back: the retry accepts it whole.
    accepted = _accept(stocked, ledger)(_order())
    assert [line.reserved for line in accepted.lines] == [True, True]
    assert ledger.order("bol", "A-1") is not None
    assert (stocked.stock(MUG.sku).reserved, stocked.stock(LAMP.sku).reserved) == (2, 1)


def test_accepting_an_order_again_keeps_one_copy_and_reserves_once(stocked: InventoryStore, ledger: OrderLedger):
    accept = _accept(stocked, ledger)
    first, again = accept(_order()), accept(_order())
    assert [line.reserved for line in again.lines] == [line.reserved for line in first.lines] == [True, True]
    assert (stocked.stock(MUG.sku).reserved, stocked.stock(LAMP.sku).reserved) == (2, 1)
    assert ledger.count_orders("bol", datetime(2000, 1, 1, tzinfo=UTC)) == 1


def test_two_accepts_of_one_order_at_once_keep_one_copy(postgres_url: str, monkeypatch: pytest.MonkeyPatch):
    """Both read "not kept yet" before either commits (PostgreSQL lets them:
    SQLite's writers queue at BEGIN). The later one's insert meets the
    unique key; its accept tries again and finds what the first kept."""
    db = Database(postgres_url)
    db.create_schema()
    inventory, ledger = InventoryStore(db), OrderLedger(db)
    inventory.upsert_product(MUG)
    inventory.upsert_product(LAMP)
    inventory.set_stock(MUG.sku, 5)
    inventory.set_stock(LAMP.sku, 5)
    both_looked = threading.Barrier(2, timeout=10)
    first_try: set[int] = set()
    keep = OrderLedger.keep

    def keep_after_both_looked(s: Session, order: Order) -> None:
        keep(s, order)
        if threading.get_ident() not in first_try:
            first_try.add(threading.get_ident())
            both_looked.wait()

    monkeypatch.setattr(OrderLedger, "keep", staticmethod(keep_after_both_looked))
    results: list[Any] = []

    def accept() -> None:
        try:
            results.append(_accept(inventory, ledger)(_order()))
        except Exception as exc:  # the assertion below names it
            results.append(exc)

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    db.dispose()

    assert [type(result).__name__ for result in results] == ["AcceptedOrder", "AcceptedOrder"]
    assert [[line.reserved for line in result.lines] for result in results] == [[True, True], [True, True]]
    assert (inventory.stock(MUG.sku).reserved, inventory.stock(LAMP.sku).reserved) == (2, 1)
    assert ledger.count_orders("bol", datetime(2000, 1, 1, tzinfo=UTC)) == 1
