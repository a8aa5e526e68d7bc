"""Someone else holding the stock row: a second connection that keeps a
write transaction open, the way a slow or stuck writer does."""

import asyncio
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


async def default_pool_stays_free(waiting: list[asyncio.Task], settle: float) -> None:
    """With `waiting` store calls queued behind a lock for `settle` seconds,
    asyncio.to_thread still runs at once; the waiting calls are cancelled
    after."""
    await asyncio.sleep(settle)
    try:
        assert await asyncio.wait_for(asyncio.to_thread(lambda: "free"), timeout=2) == "free"
    finally:
        for task in waiting:
            task.cancel()
