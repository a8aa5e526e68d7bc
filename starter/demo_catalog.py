"""The catalog `ordertide run` starts with, so a newcomer sees orders flow."""

from decimal import Decimal

from activities.store import InventoryStore, UnknownProduct
from domain.catalog import Product

DEMO_PRODUCTS = [
    Product(
        sku="MUG-BLUE",
        ean="8710103917885",
        title="Blue enamel mug",
        brand="Tide",
        category="kitchen",
        cost_price=Decimal("4.10"),
    ),
    Product(
        sku="MUG-RED",
        ean="8712100850936",
        title="Red enamel mug",
        brand="Tide",
        category="kitchen",
        cost_price=Decimal("4.10"),
    ),
    Product(
        sku="LAMP-DESK",
        ean="4006381333931",
        title="Desk lamp, brass",
        brand="Lumo",
        category="home",
        cost_price=Decimal("18.50"),
    ),
    Product(
        sku="TOWEL-XL",
        ean="5901234123457",
        title="Bath towel XL",
        brand="Softa",
        category="home",
        cost_price=Decimal("7.25"),
    ),
    Product(
        sku="BOARD-OAK",
        ean="9780201379624",
        title="Oak cutting board",
        brand="Tide",
        category="kitchen",
        cost_price=Decimal("11.00"),
    ),
]
DEMO_PRICES = {"MUG-BLUE": "12.95", "MUG-RED": "12.95", "LAMP-DESK": "49.99", "TOWEL-XL": "19.99", "BOARD-OAK": "29.95"}


def seed_demo_catalog(inventory: InventoryStore, on_hand: int = 50) -> list[Product]:
    for product in DEMO_PRODUCTS:
        product = product.model_copy(update={"list_price": Decimal(DEMO_PRICES[product.sku])})
        try:
            inventory.stock(product.sku)
        except UnknownProduct:
            inventory.upsert_product(product)
            inventory.set_stock(product.sku, on_hand)
    return DEMO_PRODUCTS
