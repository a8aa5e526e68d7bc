"""Database engines: SQLite by default, PostgreSQL by URL."""

import contextlib
import os
from pathlib import Path

from sqlalchemy import Engine, event
from sqlmodel import Session, SQLModel, create_engine

from activities.store import tables  # noqa: F401  # imported to register the tables on SQLModel.metadata


def _create_private(database: Path) -> None:
    """The store holds buyers' addresses: its directory and file are the
    owner's alone from the start (SQLite gives its -wal and -shm files the
    database file's mode)."""
    database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def make_engine(url: str) -> Engine:
    if url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; SQLAlchemy would otherwise look for psycopg2.
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        _create_private(Path(path))
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

    def create_schema(self) -> None:
        SQLModel.metadata.create_all(self.engine)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def dispose(self) -> None:
        self.engine.dispose()
