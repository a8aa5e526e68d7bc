"""The catalog in bulk: a whole file of product changes in one transaction,
a batch at a time so memory stays flat however long the file is."""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from more_itertools import chunked
from sqlalchemy import insert
from sqlmodel import Session, col, select

from activities.store.engine import Database
from activities.store.tables import ProductRow, StockLevel, utcnow
from domain.catalog_file import COLUMNS, CatalogLine, ProductPatch

BATCH = 1000
CHANGED_LISTED = 10_000
PRODUCT_FIELDS = ("ean", "title", "brand", "category", "condition", "cost_price", "list_price")
NEW_PRODUCT: dict[str, Any] = {
    "title": "",
    "brand": None,
    "category": None,
    "condition": "NEW",
    "cost_price": None,
    "list_price": None,
}


@dataclass
class CatalogChanges:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    # Products whose offers may now differ: feed rules must run for them again.
    # Listed up to CHANGED_LISTED, so a huge file keeps memory flat; past that,
    # `changed_skus_complete` is False and every product is due.
    changed_skus: list[str] = field(default_factory=list)
    changed_count: int = 0
    # EANs that joined the catalog: orders waiting on them can go on.
    eans_added: int = 0

    @property
    def changed_skus_complete(self) -> bool:
        return self.changed_count == len(self.changed_skus)

    def changed(self, sku: str) -> None:
        self.changed_count += 1
        if len(self.changed_skus) < CHANGED_LISTED:
            self.changed_skus.append(sku)


class CatalogStore:
    def __init__(self, db: Database):
        self.session = db.session
        self.reading = db.reading

    def apply(self, lines: Iterable[CatalogLine], progress: Callable[[int], None] | None = None) -> CatalogChanges:
        """Apply every good line in one transaction; bad lines (and good ones
        the store refuses, like an EAN another SKU has) land in `errors`."""
        changes = CatalogChanges()
        with self.session() as s, s.begin():
            for batch in chunked(lines, BATCH):
                good = []
                for item in batch:
                    changes.rows += 1
                    if item.patch is None:
                        changes.errors.append((item.line, str(item.error)))
                    else:
                        good.append((item.line, item.patch))
                self._apply_batch(s, good, changes)
                s.flush()
                # Forget the batch's rows: the session would otherwise hold every row of the file.
                s.expunge_all()
                if progress:
                    progress(len(batch))
        changes.errors.sort()
        return changes

    def _apply_batch(self, s: Session, batch: list[tuple[int, ProductPatch]], changes: CatalogChanges) -> None:
        skus = {patch.sku for _, patch in batch}
        eans = {patch.ean for _, patch in batch if patch.ean}
        products = {row.sku: row for row in s.exec(select(ProductRow).where(col(ProductRow.sku).in_(skus)))}
        levels = {row.sku: row for row in s.exec(select(StockLevel).where(col(StockLevel.sku).in_(skus)))}
        owners = dict(s.exec(select(ProductRow.ean, ProductRow.sku).where(col(ProductRow.ean).in_(eans))).all())
        # New products go in as plain rows with one INSERT per batch: building
        # an ORM object per row would cost most of a large import's time.
        fresh: dict[str, dict[str, Any]] = {}
        fresh_stock: dict[str, int] = {}
        for line, patch in batch:
            row = products.get(patch.sku)
            new = fresh.get(patch.sku)
            if row is None and new is None and patch.ean is None:
                changes.errors.append((line, f"ean: a new product needs one (SKU {patch.sku} is not in the catalog)"))
                continue
            if patch.ean and owners.get(patch.ean, patch.sku) != patch.sku:
                changes.errors.append((line, f"ean: {patch.ean} already belongs to SKU {owners[patch.ean]}"))
                continue
            values = patch.model_dump(include=patch.model_fields_set & set(PRODUCT_FIELDS))
            if "condition" in values:
                values["condition"] = values["condition"].value
            created = row is None and new is None
            if row is None:
                if new is None:
                    new = fresh[patch.sku] = {**NEW_PRODUCT, "sku": patch.sku}
                    changes.eans_added += 1
                elif values.get("ean", new["ean"]) != new["ean"]:
                    owners.pop(new["ean"], None)
                    changes.eans_added += 1
                new.update(values)
                ean = new["ean"]
                changed = True
            else:
                old_ean = row.ean
                changed = False
                for name, value in values.items():
                    if getattr(row, name) != value:
                        setattr(row, name, value)
                        changed = True
                if row.ean != old_ean:
                    owners.pop(old_ean, None)
                    changes.eans_added += 1
                    # The unit of work orders UPDATEs by key, not by line: a freed
                    # EAN must be gone before a later line takes it.
                    s.flush()
                ean = row.ean
            owners[ean] = patch.sku
            level = levels.get(patch.sku)
            if level is None:
                before = fresh_stock.get(patch.sku)
                fresh_stock[patch.sku] = patch.on_hand if patch.on_hand is not None else (before or 0)
                changed = changed or fresh_stock[patch.sku] != before
            elif patch.on_hand is not None and level.on_hand != patch.on_hand:
                level.on_hand = patch.on_hand
                level.updated_at = utcnow()
                changed = True
            if changed:
                changes.changed(patch.sku)
            if created:
                changes.created += 1
            elif changed:
                changes.updated += 1
            else:
                changes.unchanged += 1
        if fresh:
            s.execute(insert(ProductRow), list(fresh.values()))
        if fresh_stock:
            now = utcnow()
            stock = [{"sku": sku, "on_hand": n, "reserved": 0, "updated_at": now} for sku, n in fresh_stock.items()]
            s.execute(insert(StockLevel), stock)

    def skus(self) -> Iterator[str]:
        """Every SKU, a page per short transaction: the caller may take its
        time (signalling offer sync) without holding SQLite's lock meanwhile."""
        after = ""
        while True:
            with self.reading() as s:
                query = select(ProductRow.sku).where(col(ProductRow.sku) > after).order_by(col(ProductRow.sku))
                page = list(s.exec(query.limit(BATCH)))
            yield from page
            if len(page) < BATCH:
                return
            after = page[-1]

    def rows(self) -> Iterator[dict[str, Any]]:
        """Every product with its stock on hand, in SKU order, as COLUMNS; a
        page per short transaction, like skus()."""
        after = ""
        while True:
            with self.reading() as s:
                query = (
                    select(ProductRow, StockLevel.on_hand)
                    .join(StockLevel, col(StockLevel.sku) == ProductRow.sku, isouter=True)
                    .where(col(ProductRow.sku) > after)
                    .order_by(col(ProductRow.sku))
                    .limit(BATCH)
                )
                page = [_columns(product, {"on_hand": on_hand or 0}) for product, on_hand in s.exec(query)]
            yield from page
            if len(page) < BATCH:
                return
            after = page[-1]["sku"]

    def row(self, sku: str) -> dict[str, Any] | None:
        with self.reading() as s:
            product = s.get(ProductRow, sku)
            if product is None:
                return None
            level = s.get(StockLevel, sku)
            stock = {"on_hand": level.on_hand, "reserved": level.reserved} if level else {"on_hand": 0, "reserved": 0}
            return _columns(product, stock)


def _columns(product: ProductRow, stock: dict[str, int]) -> dict[str, Any]:
    """The product in the file's column order, then its stock."""
    return {**{name: getattr(product, name) for name in COLUMNS if name != "on_hand"}, **stock}
