"""`ordertide picklist`: what the warehouse picks now, from the store."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from pypdf import PdfReader

from activities.store import Database, InventoryStore, OrderLedger
from activities.store.shipments import ShipmentsInFlight
from domain.catalog import Product
from domain.channels import Marketplace
from domain.ids import line_key
from domain.order.marketplace import Order, OrderLine
from tests.cli.test_catalog_cli import offline_env
from tests.cli.test_cli import ordertide

PRODUCTS = [
    Product(sku="MUG-BLUE", ean="8710103917885", title="Blue enamel mug"),
    Product(sku="LAMP-DESK", ean="4006381333931", title="Bureaulamp, messing — Ø 20 cm"),
    Product(sku="TOWEL-XL", ean="5901234123457", title="Bath towel XL"),
]


def accept(db: Database, channel: str, order_id: str, ship_by: date, lines: list[tuple[str, str, int]]) -> None:
    """An accepted order as the store holds it: in the ledger, stock reserved per line."""
    inventory = InventoryStore(db)
    order = Order(
        channel=channel,
        marketplace=Marketplace.BOL,
        marketplace_order_id=order_id,
        placed_at=datetime(2026, 12, 1, tzinfo=UTC),
        lines=[
            OrderLine(
                line_id=line_id, ean="", quantity=quantity, unit_price=Decimal("9.95"), latest_delivery_date=ship_by
            )
            for line_id, _sku, quantity in lines
        ],
    )
    OrderLedger(db).save_order(order)
    for line_id, sku, quantity in lines:
        key = line_key(channel, order_id, line_id)
        assert inventory.reserve(key, sku, quantity, channel=channel, order_id=order_id, line_id=line_id)


def seeded_store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    db = Database(url)
    db.create_schema()
    inventory = InventoryStore(db)
    for product in PRODUCTS:
        inventory.upsert_product(product)
        inventory.set_stock(product.sku, 20)
    accept(db, "bol", "1001", date(2026, 12, 4), [("a", "MUG-BLUE", 2), ("b", "TOWEL-XL", 1)])
    accept(db, "bol", "1002", date(2026, 12, 3), [("a", "LAMP-DESK", 1), ("b", "MUG-BLUE", 1)])
    accept(db, "bol2", "2001", date(2026, 12, 2), [("a", "MUG-BLUE", 3)])
    accept(db, "bol", "1003", date(2026, 12, 1), [("a", "TOWEL-XL", 4)])
    # Shipped and cancelled lines are not picked again.
    accept(db, "bol", "1004", date(2026, 11, 30), [("a", "LAMP-DESK", 1), ("b", "TOWEL-XL", 1)])
    ShipmentsInFlight(db).confirmed("bol", "1004", {line_key("bol", "1004", "a"): 1})
    inventory.release(line_key("bol", "1004", "b"))
    db.dispose()
    return url


async def test_the_picklist_groups_open_lines_by_sku_most_urgent_first(tmp_path):
    env = offline_env(tmp_path, database_url=seeded_store(tmp_path))

    code, out, err = await ordertide("picklist", "--format", "csv", env=env)
    assert code == 0, err
    assert list(csv.reader(io.StringIO(out))) == [
        ["ship_by", "sku", "ean", "title", "quantity", "orders"],
        ["2026-12-01", "TOWEL-XL", "5901234123457", "Bath towel XL", "5", "bol:1003 bol:1001"],
        ["2026-12-02", "MUG-BLUE", "8710103917885", "Blue enamel mug", "6", "bol2:2001 bol:1002 bol:1001"],
        ["2026-12-03", "LAMP-DESK", "4006381333931", "Bureaulamp, messing — Ø 20 cm", "1", "bol:1002"],
    ]

    code, out, err = await ordertide("picklist", "--channel", "bol2", env=env)
    assert code == 0, err
    assert "MUG-BLUE" in out and "bol2:2001" in out and "TOWEL-XL" not in out

    pdf = tmp_path / "picks.pdf"
    code, out, err = await ordertide("picklist", "--format", "pdf", "--output", str(pdf), env=env)
    assert code == 0 and f"{pdf}: 3 SKUs, 12 units" in out
    page = PdfReader(pdf).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4 in points
    text = page.extract_text()
    assert "Bureaulamp, messing — Ø 20 cm" in text and text.index("TOWEL-XL") < text.index("LAMP-DESK")
