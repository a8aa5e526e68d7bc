"""Someone else holding the stock row: a second connection that keeps a
write transaction open, the way a slow or stuck writer does."""

import contextlib
from collections.abc import Iterator

from sqlalchemy import create_engine, text


@contextlib.contextmanager
def stock_row_locked(url: str, sku: str) -> Iterator[None]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        if url.startswith("sqlite"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # SQLite locks the whole file for writing
        else:
            conn.begin()
            conn.execute(text("SELECT on_hand FROM stocklevel WHERE sku = :sku FOR UPDATE"), {"sku": sku})
        try:
            yield
        finally:
            conn.exec_driver_sql("ROLLBACK")
    engine.dispose()
