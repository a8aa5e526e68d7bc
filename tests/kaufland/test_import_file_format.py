"""The inventory-command file the adapter writes is the one the sandbox
reads: every good line applied, every bad one named by its number."""

from datetime import UTC, datetime

from activities.marketplaces.kaufland.inventory_csv import Upsert, write_commands
from activities.marketplaces.kaufland.offers import _line_errors
from sandbox.kaufland.import_files import ImportFile, apply_file, import_file_wire
from sandbox.kaufland.units import UnitBook
from starter.demo_catalog import DEMO_PRODUCTS

EANS = [p.ean for p in DEMO_PRODUCTS]


def test_a_file_of_1000_lines_with_3_bad_applies_997_and_names_the_3_lines():
    commands = [
        Upsert(
            ean=EANS[n % len(EANS)],
            id_offer=f"SKU-{n:04d}",
            listing_price=1299 + n,
            currency="EUR",
            amount=n % 7,
            handling_time=1,
        )
        for n in range(1000)
    ]
    commands[16] = Upsert(ean="123", id_offer="SKU-0016", listing_price=100, currency="EUR", amount=1, handling_time=1)
    commands[499] = Upsert(
        ean=EANS[0], id_offer="SKU-0499", listing_price=100, currency="CZK", amount=1, handling_time=1
    )
    commands[998] = Upsert(
        ean=EANS[0], id_offer="SKU-0998", listing_price=100, currency="EUR", amount=1, handling_time=101
    )
    book = UnitBook()
    upload = ImportFile(id_import_file=1, storefront="de", uri="http://x/f.csv", created=datetime.now(UTC))

    apply_file(book, upload, write_commands(commands).decode())

    assert len(book.listed("de")) == 997
    wire = import_file_wire(upload)
    assert (wire["status"], wire["total_lines"], wire["error_count"]) == ("IMPORTED", 1000, 3)
    errors = _line_errors(wire["note"])
    assert sorted(errors) == [17, 500, 999]
    assert "ean" in errors[17] and "currency" in errors[500] and "handling_time" in errors[999]
    [unit] = book.listed("de", id_offer="SKU-0007")
    assert (unit.listing_price, unit.amount, unit.handling_time) == (1306, 0, 1)
