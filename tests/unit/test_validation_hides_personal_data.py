"""A record that fails validation is named by its fields, never quoted: the
error text reaches logs, spans and (encrypted) histories."""

import pytest
from pydantic import BaseModel, ValidationError

from activities.marketplaces.bol import wire as bol_wire
from domain.order.marketplace import Address, Order, ReturnNotice
from sandbox.bol import wire as sandbox_wire

NAME = "Jansen-van-Dijk"
BUYER = {"firstName": "Anouk", "surname": [NAME], "email": f"{NAME}@example.nl"}


@pytest.mark.parametrize(
    ("model", "data"),
    [
        (
            bol_wire.Order,
            {"orderId": "1", "orderPlacedDateTime": "2026-01-01T10:00:00+01:00", "shipmentDetails": BUYER},
        ),
        (bol_wire.ShipmentDetails, BUYER),
        (sandbox_wire.ShipmentDetails, BUYER),
        (Address, {"first_name": "Anouk", "surname": [NAME]}),
        (Order, {"channel": "bol", "shipping_address": {"surname": [NAME]}}),
        (ReturnNotice, {"marketplace_order_id": "1", "rma_id": "2", "ean": "3", "quantity": "x", "reason": [NAME]}),
    ],
)
def test_a_validation_error_names_the_field_and_never_quotes_the_buyer(model: type[BaseModel], data: dict):
    with pytest.raises(ValidationError) as raised:
        model.model_validate(data)
    assert "surname" in str(raised.value) or "reason" in str(raised.value)
    assert NAME not in str(raised.value)
    assert NAME not in repr(raised.value)
