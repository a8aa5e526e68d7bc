"""Database engines: SQLite by default, PostgreSQL by URL."""

from pathlib import Path

from sqlalchemy import Engine, event
from sqlmodel import Session, SQLModel, create_engine

from activities.store import tables  # noqa: F401  # imported to register the tables on SQLModel.metadata
from activities.store.migrate import add_missing_columns


def make_engine(url: str) -> Engine:
    if url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; SQLAlchemy would otherwise look for psycopg2.
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        # WAL lets readers run beside the single writer; busy_timeout makes
        # concurrent writers wait instead of failing with "database is locked".
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin_immediate(conn):
        # Take the write lock at BEGIN so read-then-write transactions cannot
        # deadlock on lock upgrade.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    # pysqlite's own BEGIN handling must be off for the "begin" hook to own it.
    @event.listens_for(engine, "connect", insert=True)
    def _sqlite_autocommit_off(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    return engine


class Database:
    """One engine per process; the inventory store and the order ledger share it."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)

    def create_schema(self) -> list[str]:
        """Create missing tables and add missing columns; returns the columns added."""
        SQLModel.metadata.create_all(self.engine)
        return add_missing_columns(self.engine)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def dispose(self) -> None:
        self.engine.dispose()
