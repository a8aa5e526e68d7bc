"""CSV stock imports in the store: rows are staged batch by batch (so the
file is never held whole, by the command or by a workflow payload), then
applied in one transaction, or discarded."""

from datetime import timedelta

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from activities.store.engine import Database
from activities.store.tables import StagedStockRow, StockImportDone, StockLevel, utcnow
from domain.stock import RowRejected, StockImportApply, StockImportBatch, StockImportOutcome

# Applying a large import is one long statement; it still ends before the
# apply activity's own timeout (5 minutes) so it cannot commit after it.
APPLY_TIMEOUT = timedelta(minutes=4)
# Rows of an import whose command died before applying or discarding it.
ABANDONED_AFTER = timedelta(days=1)


class StockImports:
    def __init__(self, db: Database):
        self.db = db
        self.session = db.session

    def stage(self, batch: StockImportBatch) -> list[RowRejected]:
        """Keep the batch's good rows for the import; the others come back
        with the reason. A repeated batch replaces what it staged before."""
        rows = batch.rows
        skus = {row.sku for row in rows}
        with self.session() as s, s.begin():
            s.exec(
                delete(StagedStockRow).where(
                    col(StagedStockRow.import_id) == batch.import_id,
                    col(StagedStockRow.line).in_([row.line for row in rows]),
                )
            )
            known = set(s.exec(select(StockLevel.sku).where(col(StockLevel.sku).in_(skus))))
            first_line: dict[str, int] = dict(
                s.exec(
                    select(StagedStockRow.sku, StagedStockRow.line).where(
                        col(StagedStockRow.import_id) == batch.import_id, col(StagedStockRow.sku).in_(skus)
                    )
                ).all()
            )
            rejected: list[RowRejected] = []
            for row in rows:
                if row.sku not in known:
                    rejected.append(RowRejected(line=row.line, field="sku", message=f"unknown SKU {row.sku!r}"))
                elif row.sku in first_line:
                    message = f"{row.sku!r} is already on line {first_line[row.sku]}"
                    rejected.append(RowRejected(line=row.line, field="sku", message=message))
                else:
                    first_line[row.sku] = row.line
                    s.add(StagedStockRow(import_id=batch.import_id, line=row.line, sku=row.sku, on_hand=row.on_hand))
        return rejected

    def apply(self, request: StockImportApply) -> StockImportOutcome:
        """Set every staged row in one transaction (or drop them all); a
        repeat answers what the first call did."""
        with self.session() as s, s.begin():
            done = s.get(StockImportDone, request.import_id)
            if done is not None:
                return StockImportOutcome.model_validate(done.outcome)
            applied = 0
            if request.discard:
                self._forget(request.import_id, s)
            else:
                if self.db.engine.dialect.name == "postgresql":
                    s.connection().exec_driver_sql(
                        f"SET LOCAL statement_timeout = {int(APPLY_TIMEOUT.total_seconds() * 1000)}"
                    )
                staged = select(StagedStockRow.on_hand).where(
                    col(StagedStockRow.import_id) == request.import_id, col(StagedStockRow.sku) == StockLevel.sku
                )
                applied = s.exec(
                    update(StockLevel)
                    .where(
                        col(StockLevel.sku).in_(
                            select(StagedStockRow.sku).where(col(StagedStockRow.import_id) == request.import_id)
                        )
                    )
                    .values(on_hand=staged.scalar_subquery(), updated_at=utcnow())
                ).rowcount
            outcome = StockImportOutcome(applied=applied)
            s.add(StockImportDone(import_id=request.import_id, outcome=outcome.model_dump()))
            s.exec(delete(StagedStockRow).where(col(StagedStockRow.staged_at) < utcnow() - ABANDONED_AFTER))
        return outcome

    def applied_page(self, import_id: str, after_line: int, limit: int = 1000) -> tuple[int, list[str]]:
        """The SKUs an applied import set, by line, a page at a time: the
        last line of the page (to ask for the next one) and its SKUs."""
        with self.session() as s:
            rows = list(
                s.exec(
                    select(StagedStockRow.line, StagedStockRow.sku)
                    .where(col(StagedStockRow.import_id) == import_id, col(StagedStockRow.line) > after_line)
                    .order_by(col(StagedStockRow.line))
                    .limit(limit)
                )
            )
        return (rows[-1][0] if rows else after_line), [sku for _, sku in rows]

    def forget(self, import_id: str) -> None:
        with self.session() as s, s.begin():
            self._forget(import_id, s)

    @staticmethod
    def _forget(import_id: str, s: Session) -> None:
        s.exec(delete(StagedStockRow).where(col(StagedStockRow.import_id) == import_id))
