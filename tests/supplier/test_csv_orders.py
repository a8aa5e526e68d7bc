"""One CSV file per portal order: the standard layout, another layout by
configuration only, and errors that name the line and the field."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from activities.marketplaces.supplier.csv_orders import OrderFileError, parse_order_csv
from domain.portal_formats import CsvLayout, PortalField

STANDARD = (
    "Order Number,Order Date,Retailer,SKU,Description,Quantity,Unit Price,Contact Name,Contact Email,"
    "Contact Phone,Delivery Name,Delivery Company,Address Line 1,Address Line 2,Town/City,Postcode,Country\r\n"
    "PO-1001,02/12/2026 09:15,Gifts Ltd,SKU-RED,Red mug,2,12.50,Jane Doe,jane@example.com,,Jane Doe,,"
    '"1 High Street, Flat 2",,London,SW1A 1AA,GB\r\n'
    "PO-1001,02/12/2026 09:15,Gifts Ltd,SKU-BLUE,Blue mug,1,9.99,Jane Doe,jane@example.com,,Jane Doe,,"
    '"1 High Street, Flat 2",,London,SW1A 1AA,GB\r\n'
).encode("utf-8-sig")


def test_the_portals_standard_file_is_one_order_with_its_lines() -> None:
    order = parse_order_csv(STANDARD)
    assert order.order_number == "PO-1001"
    assert order.placed_at == datetime(2026, 12, 2, 9, 15, tzinfo=ZoneInfo("Europe/London"))
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines] == [
        ("SKU-RED", 2, Decimal("12.50")),
        ("SKU-BLUE", 1, Decimal("9.99")),
    ]
    assert (order.address_line_1, order.city, order.postcode, order.country) == (
        "1 High Street, Flat 2",
        "London",
        "SW1A 1AA",
        "GB",
    )


def test_semicolons_other_headers_and_decimal_commas_are_configuration() -> None:
    layout = CsvLayout(
        delimiter=";",
        decimal_separator=",",
        date_formats=["%d.%m.%Y"],
        columns={
            PortalField.ORDER_NUMBER: "Bestellnummer",
            PortalField.ORDER_DATE: "Datum",
            PortalField.SKU: "Artikel",
            PortalField.QUANTITY: "Menge",
            PortalField.UNIT_PRICE: "Preis",
            PortalField.DELIVERY_NAME: "Name",
            PortalField.ADDRESS_LINE_1: "Strasse",
            PortalField.CITY: "Ort",
            PortalField.POSTCODE: "PLZ",
            PortalField.COUNTRY: "Land",
        },
    )
    content = (
        "Bestellnummer;Datum;Artikel;Menge;Preis;Name;Strasse;PLZ;Ort;Land\n"
        "A-77;01.12.2026;SKU-RED;3;1.234,50;Max;Hauptstr. 5;10115;Berlin;DE\n"
    )
    order = parse_order_csv(content.encode(), layout)
    assert order.order_number == "A-77"
    assert order.lines[0].quantity == 3
    assert order.lines[0].unit_price == Decimal("1234.50")
    assert order.city == "Berlin"


def test_a_missing_column_is_named_on_the_header_line() -> None:
    content = STANDARD.decode("utf-8-sig").replace("Quantity", "Qty").encode()
    with pytest.raises(OrderFileError) as error:
        parse_order_csv(content)
    assert str(error.value) == "line 1: column 'Quantity' is missing from the header"


def test_a_bad_quantity_names_its_line_and_field() -> None:
    content = STANDARD.decode("utf-8-sig").replace("Blue mug,1,", "Blue mug,two,").encode()
    with pytest.raises(OrderFileError) as error:
        parse_order_csv(content)
    assert (error.value.line, error.value.field) == (3, "Quantity")
    assert str(error.value) == "line 3, field 'Quantity': 'two' is not a whole number of at least 1"


def test_an_empty_required_cell_and_a_second_order_number_are_refused() -> None:
    no_city = STANDARD.decode("utf-8-sig").replace("London", "").encode()
    with pytest.raises(OrderFileError, match=r"line 2, field 'Town/City': is empty"):
        parse_order_csv(no_city)
    two_orders = (
        STANDARD.decode("utf-8-sig")
        .replace("PO-1001,02/12/2026 09:15,Gifts Ltd,SKU-BLUE", "PO-1002,02/12/2026 09:15,Gifts Ltd,SKU-BLUE")
        .encode()
    )
    with pytest.raises(OrderFileError, match=r"line 3, field 'Order Number': 'PO-1002' differs"):
        parse_order_csv(two_orders)
