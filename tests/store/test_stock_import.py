"""A CSV stock import in the store, on SQLite and PostgreSQL: rows staged
batch by batch, then applied together (or not at all)."""

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import select

from activities.store import StockImports
from activities.store.tables import StagedStockRow, utcnow
from domain.catalog import Product
from domain.stock import StockImportApply, StockImportBatch, StockImportRow


def rows(*pairs: tuple[int, str, int]) -> list[StockImportRow]:
    return [StockImportRow(line=line, sku=sku, on_hand=on_hand) for line, sku, on_hand in pairs]


def test_bad_rows_are_named_by_line_and_the_good_ones_apply_together(inventory):
    inventory.upsert_product(Product(sku="CUP", ean="036000291452", title="Cup"))
    imports = StockImports(inventory.db)
    first = imports.stage(StockImportBatch(import_id="i1", rows=rows((2, "MUG", 4), (3, "NOPE", 1))))
    second = imports.stage(StockImportBatch(import_id="i1", rows=rows((4, "MUG", 9), (5, "CUP", 7))))
    assert [(r.line, r.field, r.message) for r in first + second] == [
        (3, "sku", "unknown SKU 'NOPE'"),
        (4, "sku", "'MUG' is already on line 2"),
    ]
    assert inventory.stock("MUG").on_hand == 0  # nothing before the import is applied
    assert imports.apply(StockImportApply(import_id="i1")).applied == 2
    assert (inventory.stock("MUG").on_hand, inventory.stock("CUP").on_hand) == (4, 7)
    # Applying again (a retried activity) changes nothing and answers the same.
    inventory.set_stock("MUG", 1)
    assert imports.apply(StockImportApply(import_id="i1")).applied == 2
    assert inventory.stock("MUG").on_hand == 1


def test_a_repeated_batch_is_staged_once(inventory):
    imports = StockImports(inventory.db)
    batch = StockImportBatch(import_id="i1", rows=rows((2, "MUG", 4)))
    assert imports.stage(batch) == []
    assert imports.stage(batch) == []  # not "already on line 2": it is line 2
    assert imports.apply(StockImportApply(import_id="i1")).applied == 1


def test_a_discarded_import_changes_nothing(inventory):
    inventory.set_stock("MUG", 3)
    imports = StockImports(inventory.db)
    imports.stage(StockImportBatch(import_id="i1", rows=rows((2, "MUG", 40))))
    assert imports.apply(StockImportApply(import_id="i1", discard=True)).applied == 0
    assert imports.apply(StockImportApply(import_id="i1")).applied == 0  # decided once
    assert inventory.stock("MUG").on_hand == 3


def test_rows_of_an_import_abandoned_a_day_ago_are_cleared(inventory):
    imports = StockImports(inventory.db)
    imports.stage(StockImportBatch(import_id="crashed", rows=rows((2, "MUG", 4))))
    with inventory.db.session() as s, s.begin():
        s.exec(update(StagedStockRow).values(staged_at=utcnow() - timedelta(days=2)))
    imports.stage(StockImportBatch(import_id="next", rows=rows((2, "MUG", 5))))
    imports.apply(StockImportApply(import_id="next"))
    with inventory.db.session() as s:
        assert [row.import_id for row in s.exec(select(StagedStockRow))] == ["next"]
