"""Kaufland order units ↔ the canonical order. Kaufland has one unit per
piece; a line is the units of one offer in one order, its id the smallest
unit id among them (stable: Kaufland never adds units to an order), its
quantity how many there are. Prices are integer cents of the storefront's
currency and become Decimal here, at the edge."""

from collections import defaultdict
from decimal import Decimal

from activities.marketplaces.kaufland.wire import OrderDetails, OrderUnit
from domain.channels import Marketplace
from domain.money import to_money
from domain.order.marketplace import Address, Order, OrderLine

OPEN = frozenset({"open", "need_to_be_sent"})
SENT = frozenset({"sent", "sent_and_autopaid", "received", "returned", "returned_paid"})
RETURNED = frozenset({"returned", "returned_paid"})
CANCELLED = "cancelled"
# Kaufland's reason when its customer service cancels for the buyer.
BUYER_CANCELLED = "BuyerCancelled"


def from_cents(cents: int) -> Decimal:
    return to_money(Decimal(cents) / 100)


def line_key(unit: OrderUnit) -> str:
    """Units of the same offer (EAN when the unit names no offer) and price
    make one line."""
    return f"{unit.id_offer or unit.ean}|{unit.price}"


def lines_of(units: list[OrderUnit]) -> dict[str, list[OrderUnit]]:
    """line id → its units, lowest unit id first."""
    groups: dict[str, list[OrderUnit]] = defaultdict(list)
    for unit in sorted(units, key=lambda u: u.id_order_unit):
        groups[line_key(unit)].append(unit)
    return {str(group[0].id_order_unit): group for group in groups.values()}


def order_from_wire(channel: str, order: OrderDetails) -> Order:
    address = order.shipping_address or next(
        (u.shipping_address for u in order.order_units if u.shipping_address), None
    )
    buyer = order.buyer or next((u.buyer for u in order.order_units if u.buyer), None)
    lines = []
    for line_id, units in lines_of(order.order_units).items():
        first = units[0]
        expiry = min((u.delivery_time_expires_iso for u in units if u.delivery_time_expires_iso), default=None)
        lines.append(
            OrderLine(
                line_id=line_id,
                marketplace_unit_ids=[str(u.id_order_unit) for u in units],
                ean=first.ean,
                sku=first.id_offer or None,
                title=first.product.title if first.product else "",
                quantity=len(units),
                unit_price=from_cents(first.price),
                quantity_shipped=sum(u.status in SENT for u in units),
                quantity_cancelled=sum(u.status == CANCELLED for u in units),
                quantity_returned=sum(u.status in RETURNED for u in units),
                latest_delivery_date=expiry.date() if expiry else None,
            )
        )
    return Order(
        channel=channel,
        marketplace=Marketplace.KAUFLAND,
        marketplace_order_id=order.id_order,
        placed_at=order.ts_created_iso,
        lines=lines,
        currency=order.order_units[0].currency if order.order_units else "EUR",
        shipping_address=Address(
            first_name=(address.first_name or "") if address else "",
            surname=(address.last_name or "") if address else "",
            company=address.company_name if address else None,
            street_name=(address.street or "") if address else "",
            house_number=(address.house_number or "") if address else "",
            extra_address_information=address.additional_field if address else None,
            zip_code=(address.postcode or "") if address else "",
            city=(address.city or "") if address else "",
            country_code=(address.country or "").upper() if address else "",
            phone=address.phone if address else None,
            email=buyer.email if buyer else None,
        ),
    )
