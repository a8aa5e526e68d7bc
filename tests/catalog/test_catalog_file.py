"""Cells of a catalog file as a seller's spreadsheet writes them."""

from decimal import Decimal

import pytest

from domain.catalog_file import COLUMNS, FieldError, export_row, parse_cells, parse_price, read_catalog
from domain.offers.condition import OfferCondition


@pytest.mark.parametrize(("text", "price"), [("12.95", "12.95"), ("12,95", "12.95"), ("7", "7"), ("", None)])
def test_prices_take_a_dot_or_a_comma(text, price):
    assert parse_price("list_price", text) == (Decimal(price) if price else None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1.234,50", "has both a dot and a comma"),
        ("12.999", "more than two decimals"),
        ("-3", "is not a price"),
        ("twelve", "is not a price"),
        ("NaN", "is not a price"),
    ],
)
def test_a_bad_price_names_its_field(text, message):
    with pytest.raises(FieldError, match=message) as caught:
        parse_price("cost_price", text)
    assert caught.value.field == "cost_price" and str(caught.value).startswith("cost_price: ")


def test_eans_are_checked_and_normalised():
    assert parse_cells({"sku": "A", "ean": "012345678905"}).ean == "0012345678905"  # UPC-A as EAN-13
    assert parse_cells({"sku": "A", "ean": "96385074"}).ean == "96385074"  # EAN-8
    with pytest.raises(FieldError, match="ean: invalid EAN '8710103917886'"):  # check digit off by one
        parse_cells({"sku": "A", "ean": "8710103917886"})
    with pytest.raises(FieldError, match="ean: invalid EAN '87101039178'"):  # 11 digits is no GTIN
        parse_cells({"sku": "A", "ean": "87101039178"})


def test_only_the_columns_in_the_file_change_a_product():
    patch = parse_cells({"sku": "A", "list_price": "3,50", "condition": "as new"})
    assert patch.model_fields_set == {"sku", "list_price", "condition"}
    assert patch.condition is OfferCondition.AS_NEW
    # An empty EAN or stock cell keeps what the product has.
    assert parse_cells({"sku": "A", "ean": "", "on_hand": ""}).model_fields_set == {"sku"}


def test_rows_carry_their_line_and_the_header_is_checked():
    rows = list(read_catalog(["sku;ean;list_price\n", "A;8710103917885;1,50\n", "\n", "B;8710103917885;x\n"]))
    assert [(row.line, row.patch is not None, str(row.error or "")) for row in rows] == [
        (2, True, ""),
        (4, False, "list_price: 'x' is not a price"),
    ]
    with pytest.raises(ValueError, match="unknown column 'listprice'"):
        list(read_catalog(["sku,listprice\n"]))
    with pytest.raises(ValueError, match="must name the column sku"):
        list(read_catalog(["ean,title\n"]))


def test_exported_cells_never_run_as_formulas_and_import_back_unchanged():
    values: dict[str, object] = {
        "sku": "-SKU",
        "ean": "8710103917885",
        "title": '=HYPERLINK("http://x")',
        "brand": "@home",
    }
    values |= {"category": "\tcat", "cost_price": Decimal("4.10"), "on_hand": 3}
    cells = export_row(values)
    assert cells[:5] == ["'-SKU", "8710103917885", '\'=HYPERLINK("http://x")', "'@home", "'\tcat"]
    patch = parse_cells(dict(zip(COLUMNS, cells, strict=True)))
    assert (patch.sku, patch.title, patch.brand) == ("-SKU", '=HYPERLINK("http://x")', "@home")
