"""Reads never queue behind a writer: an offer-sync round planning a send,
or the receiver looking up an order, answers at once while the worker holds
SQLite's one write lock, and sees the last commit (activities/store/engine.py,
`make_reader`). PostgreSQL's reads never waited; the same tests hold there."""

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from activities.store import Database, InventoryStore
from activities.store.offer_changes import OfferChanges
from activities.store.offers import OfferBook
from activities.store.tables import StockLevel
from tests.store.conftest import MUG
from tests.store.locks import stock_row_locked

# Far under the store's lock timeout (8 s), which a read behind the lock would wait out.
AT_ONCE = 2.0


def test_a_round_plans_and_reads_its_changes_while_a_writer_holds_the_store(
    db: Database, inventory: InventoryStore, database_url: str
):
    inventory.set_stock("MUG", 7)
    changes = OfferChanges(db)
    changes.record({"bol": ["MUG"]}, datetime.now(UTC))
    with stock_row_locked(database_url, "MUG"):
        started = time.monotonic()
        items = inventory.catalog_items(["MUG"])
        current, desired = OfferBook(db).offers_and_desired("bol", ["MUG"])
        waiting = changes.waiting("bol", 100)
        stock = inventory.stock("MUG")
        took = time.monotonic() - started
    assert took < AT_ONCE, f"reads waited {took:.1f}s for the writer"
    assert [item.available for item in items] == [7] and stock.on_hand == 7
    assert current == {} and desired == {}
    assert list(waiting.first_changed) == ["MUG"]


def test_a_read_sees_every_commit_before_it_and_nothing_uncommitted(inventory: InventoryStore, database_url: str):
    inventory.set_stock("MUG", 3)
    assert inventory.stock("MUG").on_hand == 3  # read on another connection than the write
    inventory.adjust_stock("MUG", 2)
    assert inventory.stock("MUG").on_hand == 5
    with stock_row_locked(database_url, "MUG"):
        # The lock holder has written nothing yet; a read still sees the last commit.
        assert inventory.stock("MUG").on_hand == 5


def test_a_write_through_a_read_session_fails_on_sqlite(tmp_path: Path):
    db = Database(f"sqlite:///{tmp_path / 'store.db'}")
    db.create_schema()
    inventory = InventoryStore(db)
    inventory.upsert_product(MUG)
    try:
        with db.reading() as s:
            level = s.exec(select(StockLevel).where(StockLevel.sku == "MUG")).one()
            level.on_hand = 99
            s.add(level)
            with pytest.raises(OperationalError, match="readonly"):
                s.commit()
        assert inventory.stock("MUG").on_hand == 0
    finally:
        db.dispose()


def test_an_in_memory_store_keeps_its_reads_on_its_one_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An in-memory SQLite database is per connection: a reader of its own
    would see another, empty one. And no file is created for it."""
    monkeypatch.chdir(tmp_path)
    for url in ("sqlite://", "sqlite:///:memory:"):
        db = Database(url)
        assert db.reader is db.engine, url
        db.dispose()
    assert list(tmp_path.iterdir()) == []
