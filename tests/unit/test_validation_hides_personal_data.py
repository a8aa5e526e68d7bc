"""A record that fails validation is named by its fields, never quoted: the
error text reaches logs, spans and (encrypted) histories."""

import pytest
from pydantic import BaseModel, ValidationError

from activities.marketplaces.bol import wire as bol_wire
from activities.marketplaces.kaufland import wire as kaufland_wire
from activities.marketplaces.kaufland.returns import ReturnUnit
from activities.marketplaces.kaufland.tickets import TicketDetails
from domain.order.marketplace import Address, Order, ReturnNotice
from domain.warehouse import WarehouseAddress, WarehouseOrder
from sandbox.bol import wire as sandbox_wire

NAME = "Jansen-van-Dijk"
BUYER = {"firstName": "Anouk", "surname": [NAME], "email": f"{NAME}@example.nl"}
KAUFLAND_UNIT = {
    "id_order_unit": 1,
    "id_order": "MZ4F2X",
    "ts_created_iso": "2026-01-01T10:00:00Z",
    "ts_updated_iso": "2026-01-01T10:00:00Z",
    "status": "open",
    "price": 1295,
}
KAUFLAND_ADDRESS = {"first_name": "Anouk", "last_name": [NAME], "city": "Köln"}
SHIP_TO = {"name": [NAME], "street": "Dorpsstraat 1", "zip_code": "1234AB", "city": "Utrecht", "country_code": "NL"}


@pytest.mark.parametrize(
    ("model", "data", "field"),
    [
        (
            bol_wire.Order,
            {"orderId": "1", "orderPlacedDateTime": "2026-01-01T10:00:00+01:00", "shipmentDetails": BUYER},
            "surname",
        ),
        (bol_wire.ShipmentDetails, BUYER, "surname"),
        (sandbox_wire.ShipmentDetails, BUYER, "surname"),
        (Address, {"first_name": "Anouk", "surname": [NAME]}, "surname"),
        (Order, {"channel": "bol", "shipping_address": {"surname": [NAME]}}, "surname"),
        (
            ReturnNotice,
            {"marketplace_order_id": "1", "rma_id": "2", "ean": "3", "quantity": "x", "reason": [NAME]},
            "reason",
        ),
        (
            kaufland_wire.OrderDetails,
            {"id_order": "MZ4F2X", "ts_created_iso": "2026-01-01T10:00:00Z", "shipping_address": KAUFLAND_ADDRESS},
            "last_name",
        ),
        (kaufland_wire.OrderUnit, {**KAUFLAND_UNIT, "buyer": {"email": [f"{NAME}@example.de"]}}, "email"),
        (kaufland_wire.OrderUnit, {**KAUFLAND_UNIT, "shipping_address": KAUFLAND_ADDRESS}, "last_name"),
        (
            TicketDetails,
            {
                "id_ticket": "0011",
                "ts_created_iso": "2026-01-01T10:00:00Z",
                "status": "opened",
                "messages": [{"text": [NAME], "ts_created_iso": "2026-01-01T10:00:00Z"}],
            },
            "text",
        ),
        (
            ReturnUnit,
            {
                "id_return_unit": 1,
                "id_return": 2,
                "id_order_unit": 3,
                "ts_created_iso": "x",
                "status": "open",
                "note": [NAME],
            },
            "note",
        ),
        (WarehouseAddress, SHIP_TO, "name"),
        (
            WarehouseOrder,
            {
                "order_id": "order:bol:1",
                "version": 1,
                "channel": "bol",
                "marketplace_order_id": "1",
                "placed_at": "2026-01-01T10:00:00Z",
                "lines": [],
                "ship_to": SHIP_TO,
            },
            "name",
        ),
    ],
)
def test_a_validation_error_names_the_field_and_never_quotes_the_buyer(model: type[BaseModel], data: dict, field: str):
    with pytest.raises(ValidationError) as raised:
        model.model_validate(data)
    assert field in str(raised.value)
    assert NAME not in str(raised.value)
    assert NAME not in repr(raised.value)
