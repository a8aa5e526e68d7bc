"""Store fixtures: SQLite in a temp dir, and PostgreSQL on 127.0.0.1:5432
(database `test`) in a schema of its own per test."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from activities.store import Database, InventoryStore, OrderLedger
from domain.catalog import Product

POSTGRES_URL = os.environ.get("ORDERTIDE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
MUG = Product(sku="MUG", ean="8710103917885", title="Mug")


def postgres_schema_url() -> Iterator[str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    # libpq `options` puts every connection of this URL in the test's schema.
    yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
    else:
        yield from postgres_schema_url()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    yield from postgres_schema_url()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    database.create_schema()
    yield database
    database.dispose()


@pytest.fixture
def inventory(db: Database) -> InventoryStore:
    store = InventoryStore(db)
    store.upsert_product(MUG)
    return store


@pytest.fixture
def ledger(db: Database) -> OrderLedger:
    return OrderLedger(db)
