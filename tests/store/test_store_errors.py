"""A store error is logged whole by the worker (activities/errors.py keeps
only its first line for the order's history): it must not carry the values
of the statement that failed, such as the buyer's address being saved."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from activities.store.engine import make_engine

BUYER = "Jansen-van-Dijk, Dorpsstraat 12"


def test_a_failed_statement_never_quotes_its_values(database_url):
    engine = make_engine(database_url)
    try:
        with pytest.raises(DBAPIError) as raised, engine.connect() as conn:
            conn.execute(text("INSERT INTO no_such_table (address) VALUES (:address)"), {"address": BUYER})
    finally:
        engine.dispose()
    assert "no_such_table" in str(raised.value)  # what failed is still said…
    assert BUYER not in str(raised.value)  # …without the values
    assert BUYER not in repr(raised.value)
