"""Errors nobody classified (a response that does not parse, the store
down) stop retrying after a few attempts, so the order needs attention; the
reason the order shows carries no personal data. The marketplace being down
is still retried for as long as it takes."""

import contextlib
import dataclasses
import json
import sqlite3
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from sqlalchemy.exc import OperationalError
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.channels import Channels
from activities.errors import UNEXPECTED_ERROR_ATTEMPTS
from activities.marketplaces.base import MarketplaceAdapter
from activities.marketplaces.bol import wire
from activities.orders import OrderActivities
from domain.channels import Marketplace
from domain.errors import BUSINESS_ERROR_TYPE, RETRYABLE_ERROR_TYPE, UNEXPECTED_ERROR_TYPE, MarketplaceUnavailable
from domain.order.marketplace import Address, Order
from domain.order.view import OrderRef

REF = OrderRef(channel="bol", marketplace=Marketplace.BOL, marketplace_order_id="1043")
# A response whose buyer details do not match the model: pydantic's own
# message quotes them.
MALFORMED = {
    "orderId": "1043",
    "orderPlacedDateTime": "2026-03-02T09:30:00+01:00",
    "shipmentDetails": {"firstName": "Jan", "surname": {"name": "Jansen"}, "email": ["jan.jansen@example.nl"]},
}
PERSONAL = ("Jansen", "jan.jansen@example.nl")


class Channel:
    def __init__(self, reply: Any):
        self.reply = reply

    async def get_order(self, order_id: str) -> Order:
        if isinstance(self.reply, BaseException):
            raise self.reply
        return self.reply()


class Ledger:
    @staticmethod
    def keep(_session: Any, order: Order) -> None:
        raise OperationalError("INSERT INTO orders ... VALUES (?, ?)", ("Jan Jansen", "Dorpsstraat 1"), _locked())


class Store:
    """Runs store calls inline: the real one runs them on the store's own
    threads. Its one transaction fails at the ledger's first write."""

    async def run(self, fn: Any, *args: Any) -> Any:
        return fn(*args)

    def session(self) -> Any:
        return self

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *_: object) -> None:
        return None

    def begin(self) -> Any:
        return contextlib.nullcontext()


class Inventory:
    db = Store()


def _locked() -> sqlite3.OperationalError:
    return sqlite3.OperationalError("database is locked")


def order_activities(reply: Any) -> OrderActivities:
    channels = Channels({"bol": cast(MarketplaceAdapter, Channel(reply))}, {})
    return OrderActivities(channels, cast(Any, Inventory()), cast(Any, Ledger()), cast(Any, None), cast(Any, None))


async def accept(reply: Any, attempt: int) -> ApplicationError:
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, attempt=attempt, activity_type="accept_order")
    with pytest.raises(ApplicationError) as raised:
        await env.run(order_activities(reply).accept_order, REF)
    return raised.value


def parse_malformed() -> Order:
    wire.Order.model_validate(MALFORMED)
    raise AssertionError("the response was meant not to parse")


async def test_a_response_that_does_not_parse_needs_attention_at_once_without_personal_data():
    """Asking again returns the same record: no attempts are spent on it."""
    first = await accept(parse_malformed, attempt=1)
    assert (first.type, first.non_retryable) == (BUSINESS_ERROR_TYPE, True)
    assert "shipmentDetails.surname" in first.message and "shipmentDetails.email" in first.message
    assert not any(value in str(first) for value in PERSONAL)


async def test_a_reply_that_is_not_json_is_retried_then_needs_attention_saying_where():
    def not_json() -> Order:
        json.loads('{"orderId": "1043", "shipmentDetails": {"surname": "Jansen"')
        raise AssertionError("the response was meant not to parse")

    first = await accept(not_json, attempt=1)
    assert (first.type, first.non_retryable) == (UNEXPECTED_ERROR_TYPE, False)
    last = await accept(not_json, attempt=UNEXPECTED_ERROR_ATTEMPTS)
    assert (last.type, last.non_retryable) == (UNEXPECTED_ERROR_TYPE, True)
    assert last.message.startswith("unexpected error in accept_order (7 attempts): JSONDecodeError: ")
    assert last.__cause__ is None  # a cause would carry the document, with the values, into the history
    assert "Jansen" not in str(last)


async def test_a_store_outage_is_retried_then_needs_attention_saying_what_the_store_said():
    def parsed() -> Order:
        address = Address(first_name="Jan", surname="Jansen", country_code="NL")
        return Order(
            channel="bol",
            marketplace=Marketplace.BOL,
            marketplace_order_id="1043",
            placed_at=datetime(2026, 3, 2, tzinfo=UTC),
            shipping_address=address,
            lines=[],
        )

    last = await accept(parsed, attempt=UNEXPECTED_ERROR_ATTEMPTS)
    assert (last.type, last.non_retryable) == (UNEXPECTED_ERROR_TYPE, True)
    assert last.message.endswith("OperationalError from the store: database is locked")
    assert "Jansen" not in last.message and "Dorpsstraat" not in last.message


async def test_the_marketplace_being_down_is_retried_for_as_long_as_it_takes():
    down = await accept(MarketplaceUnavailable("bol GET /retailer/orders/1043: 503"), attempt=500)
    assert (down.type, down.non_retryable) == (RETRYABLE_ERROR_TYPE, False)
