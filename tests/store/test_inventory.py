"""Stock and reservations, on SQLite and on PostgreSQL."""

from decimal import Decimal

import pytest
from sqlalchemy.exc import OperationalError

from activities.store import UnknownProduct
from activities.store.shipments import ShipmentsInFlight
from domain.catalog import Product


def reserve(inventory, key: str, quantity: int) -> bool:
    return inventory.reserve(key, "MUG", quantity, channel="bol", order_id=key, line_id="1")


def confirm_shipped(inventory, key: str, total_shipped: int) -> None:
    """The marketplace confirmed `total_shipped` units of the line in all (as the ship activity records it)."""
    ShipmentsInFlight(inventory.db).confirmed("bol", key, {key: total_shipped})


def test_a_reservation_is_all_or_nothing_and_a_retry_is_a_no_op(inventory):
    inventory.set_stock("MUG", 3)
    assert reserve(inventory, "bol:1:1", 2)
    assert reserve(inventory, "bol:1:1", 2)  # retried activity: same line, nothing new taken
    assert not reserve(inventory, "bol:2:1", 2)  # only 1 left: the whole line is refused
    stock = inventory.stock("MUG")
    assert (stock.on_hand, stock.reserved, stock.available) == (3, 2, 1)


def test_shipping_takes_units_off_the_shelf_once(inventory):
    inventory.set_stock("MUG", 5)
    reserve(inventory, "bol:1:1", 2)
    confirm_shipped(inventory, "bol:1:1", 2)
    confirm_shipped(inventory, "bol:1:1", 2)
    stock = inventory.stock("MUG")
    assert (stock.on_hand, stock.reserved) == (3, 0)


def test_partial_shipment_then_cancel_releases_only_the_rest(inventory):
    inventory.set_stock("MUG", 5)
    reserve(inventory, "bol:1:1", 3)
    confirm_shipped(inventory, "bol:1:1", 1)
    assert inventory.release("bol:1:1") == 2
    assert inventory.release("bol:1:1") == 0
    stock = inventory.stock("MUG")
    assert (stock.on_hand, stock.reserved, stock.available) == (4, 0, 4)


def test_a_released_line_is_not_reserved_again_by_a_late_retry(inventory):
    inventory.set_stock("MUG", 5)
    reserve(inventory, "bol:1:1", 1)
    inventory.release("bol:1:1")
    assert not reserve(inventory, "bol:1:1", 1)
    assert inventory.stock("MUG").reserved == 0


def test_stock_cannot_go_negative_and_unknown_skus_are_named(inventory):
    inventory.set_stock("MUG", 1)
    with pytest.raises(ValueError, match="below zero"):
        inventory.adjust_stock("MUG", -2)
    assert inventory.stock("MUG").on_hand == 1
    with pytest.raises(UnknownProduct, match="NOPE"):
        inventory.set_stock("NOPE", 1)


def test_products_are_found_by_any_spelling_of_their_ean(inventory):
    inventory.upsert_product(Product(sku="CAN", ean="036000291452", title="Can", cost_price=Decimal("0.40")))
    assert inventory.product_by_ean("0036000291452").sku == "CAN"
    assert inventory.product_by_ean("036000291452").sku == "CAN"
    assert inventory.product_by_ean("not-an-ean") is None
    with pytest.raises(ValueError, match="invalid EAN"):
        inventory.upsert_product(Product(sku="BAD", ean="8710103917886"))


def test_a_handled_return_restocks_once(inventory):
    inventory.set_stock("MUG", 0)
    args = {
        "rma_id": "31234567",
        "channel": "bol",
        "line_key": "bol:1:1",
        "sku": "MUG",
        "quantity": 1,
        "handling": "RETURN_RECEIVED",
    }
    assert inventory.record_return(**args, restock=True, refund=Decimal("12.95"))
    assert not inventory.record_return(**args, restock=True, refund=Decimal("12.95"))
    assert inventory.stock("MUG").on_hand == 1
    assert inventory.handled_return("31234567").refund == Decimal("12.95")


def test_a_confirmed_shipment_leaves_the_shelf_and_is_no_longer_waited_for_in_one_go(inventory):
    shipments = ShipmentsInFlight(inventory.db)
    inventory.set_stock("MUG", 5)
    reserve(inventory, "bol:1:1", 2)
    shipments.started("bol", "1", "order:bol:1")
    shipments.confirmed("bol", "1", {"bol:1:1": 2})
    shipments.confirmed("bol", "1", {"bol:1:1": 2})  # a retried activity: nothing leaves twice
    stock = inventory.stock("MUG")
    assert (stock.on_hand, stock.reserved) == (3, 0)
    assert shipments.count("bol") == 0


def test_a_confirmation_the_store_refuses_leaves_the_shipment_waited_for(inventory, monkeypatch):
    shipments = ShipmentsInFlight(inventory.db)
    inventory.set_stock("MUG", 5)
    reserve(inventory, "bol:1:1", 2)
    shipments.started("bol", "1", "order:bol:1")

    def refused(*_: object) -> None:
        raise OperationalError("UPDATE stock_level", {}, Exception("database is locked"))

    monkeypatch.setattr("activities.store.shipments.take_off_shelf", refused)
    with pytest.raises(OperationalError):
        shipments.confirmed("bol", "1", {"bol:1:1": 2})
    assert shipments.count("bol") == 1  # still waited for: the retry confirms it
