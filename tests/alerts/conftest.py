from collections.abc import Iterator

import pytest

from activities.store import Database


@pytest.fixture
def store(tmp_path) -> Iterator[Database]:
    """A fresh SQLite store for the alert book, the outbox and the labels."""
    db = Database(f"sqlite:///{tmp_path / 'store.db'}")
    db.create_schema()
    yield db
    db.dispose()
