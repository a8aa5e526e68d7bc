"""Database engines: SQLite by default, PostgreSQL by URL.

Every store call waits at most STORE_TIMEOUT for a connection, a lock or a
statement, well inside the shortest activity timeout that calls the store
(30 s): an activity that gave up must not find its transaction committing
later, behind the back of its retry."""

import asyncio
import contextlib
import contextvars
import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import ParamSpec, TypeVar

from sqlalchemy import Engine, event
from sqlmodel import Session, SQLModel, create_engine

from activities.store import tables  # noqa: F401  # imported to register the tables on SQLModel.metadata
from activities.store.migrate import add_missing_columns

STORE_TIMEOUT = timedelta(seconds=8)
POOL_SIZE, POOL_OVERFLOW = 10, 20
# SQLite has one writer at a time; reads run beside it (make_reader). More
# threads would only queue on the lock, or on the GIL.
SQLITE_THREADS = 4

P = ParamSpec("P")
T = TypeVar("T")


def _create_private(database: Path) -> None:
    """The store holds buyers' addresses: its directory and file are the
    owner's alone from the start (SQLite gives its -wal and -shm files the
    database file's mode)."""
    database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def make_engine(url: str) -> Engine:
    """`hide_parameters`: a failed statement's error never quotes its values
    (a buyer's address being saved); the worker logs such errors whole."""
    seconds = int(STORE_TIMEOUT.total_seconds())
    if url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; SQLAlchemy would otherwise look for psycopg2.
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if not url.startswith("sqlite"):
        server = create_engine(
            url,
            pool_pre_ping=True,
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
            pool_timeout=seconds,
            connect_args={"connect_timeout": seconds},
            hide_parameters=True,
        )

        @event.listens_for(server, "connect")
        def _statement_timeout(dbapi_connection, _record):
            # Set per connection, not in the URL's `options`, which belong to whoever configures the URL.
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET statement_timeout = {seconds * 1000}")
            dbapi_connection.commit()

        return server
    path = _sqlite_file(url)
    if path is not None:
        _create_private(path)
    return _sqlite_engine(url, reader=False)


def make_reader(url: str, engine: Engine) -> Engine:
    """The engine for reads that write nothing. On SQLite, connections of
    their own that never take the write lock: in WAL mode a read sees the
    last commit and runs beside the writer, instead of queueing behind every
    transaction of the worker and the receiver. PostgreSQL's reads never
    wait for writers: the one engine serves both."""
    if not url.startswith("sqlite") or _sqlite_file(url) is None:
        return engine  # an in-memory database is per connection: a reader would see another one
    return _sqlite_engine(url, reader=True)


def _sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL; None in memory (`sqlite://`, `sqlite:///:memory:`)."""
    path = url.split("///", 1)[1] if "///" in url else ""
    return Path(path) if path and path != ":memory:" else None


def _sqlite_engine(url: str, *, reader: bool) -> Engine:
    seconds = int(STORE_TIMEOUT.total_seconds())
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": seconds}, hide_parameters=True)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        # WAL lets readers run beside the single writer; busy_timeout makes
        # concurrent writers wait instead of failing with "database is locked".
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={seconds * 1000}")
        cursor.execute("PRAGMA foreign_keys=ON")
        if reader:
            cursor.execute("PRAGMA query_only=ON")  # a write here is a bug: fail it loudly
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn):
        # Writers take the write lock at BEGIN so read-then-write transactions
        # cannot deadlock on lock upgrade. Readers take a snapshot at their
        # first read, so a read of several statements sees one state.
        conn.exec_driver_sql("BEGIN" if reader else "BEGIN IMMEDIATE")

    # pysqlite's own BEGIN handling must be off for the "begin" hook to own it.
    @event.listens_for(engine, "connect", insert=True)
    def _sqlite_autocommit_off(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    return engine


class Database:
    """One engine per process; the inventory store and the order ledger share it.

    Store calls block, so activities run them with `run`, on threads of the
    store's own: as many as there are connections, so a thread never queues
    for one, and never on the event loop's default pool, where a slow
    database would hold up DNS lookups and every other `to_thread` caller."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.reader = make_reader(url, self.engine)
        self.threads = SQLITE_THREADS if url.startswith("sqlite") else POOL_SIZE + POOL_OVERFLOW
        self._executor: ThreadPoolExecutor | None = None

    def create_schema(self) -> list[str]:
        """Create missing tables and add missing columns; returns the columns added."""
        SQLModel.metadata.create_all(self.engine)
        return add_missing_columns(self.engine)

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def reading(self) -> Session:
        """A session for reads only (`make_reader`); a write in it fails on SQLite."""
        return Session(self.reader, expire_on_commit=False)

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        # Like asyncio.to_thread, the call sees the caller's context (activity info, trace).
        call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="store")
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    def dispose(self) -> None:
        # Like the engine after dispose, usable again: a later call starts new threads.
        # Calls already running finish first (each gives up after the store's
        # timeout): closing a SQLite connection under a running query crashes
        # the process (a segfault seen in CI).
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        self.engine.dispose()
        if self.reader is not self.engine:
            self.reader.dispose()
