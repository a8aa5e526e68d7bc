"""What the warehouse picks now: the open lines of accepted orders, one row
per SKU, the most urgent first."""

from collections.abc import Iterable
from datetime import date

from pydantic import BaseModel, Field


class OpenLine(BaseModel):
    """A reserved, not yet shipped order line."""

    channel: str
    marketplace_order_id: str
    sku: str
    quantity: int
    ship_by: date | None = None


class PickItem(BaseModel):
    sku: str
    ean: str = ""
    title: str = ""
    quantity: int
    # Each order once, as channel:order id, the most urgent first.
    orders: list[str] = Field(default_factory=list)
    ship_by: date | None = None


def picklist(lines: Iterable[OpenLine], products: dict[str, tuple[str, str]]) -> list[PickItem]:
    """Group by SKU; sort by the earliest ship-by (none last), then SKU.
    `products` gives each SKU's (ean, title)."""
    items: dict[str, PickItem] = {}
    urgency: dict[str, list[tuple[date, str]]] = {}
    for line in lines:
        ean, title = products.get(line.sku, ("", ""))
        item = items.setdefault(line.sku, PickItem(sku=line.sku, ean=ean, title=title, quantity=0))
        item.quantity += line.quantity
        if line.ship_by and (item.ship_by is None or line.ship_by < item.ship_by):
            item.ship_by = line.ship_by
        urgency.setdefault(line.sku, []).append(
            (line.ship_by or date.max, f"{line.channel}:{line.marketplace_order_id}")
        )
    for sku, item in items.items():
        item.orders = list(dict.fromkeys(ref for _, ref in sorted(urgency[sku])))
    return sorted(items.values(), key=lambda item: (item.ship_by or date.max, item.sku))
