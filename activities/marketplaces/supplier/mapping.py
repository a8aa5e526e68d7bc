"""Portal order → canonical order. Lines keep the portal's line numbers; an
item the portal names by SKU only has no EAN here, and accept finds its
product by SKU (an unknown one makes the order NeedsAttention, named)."""

from activities.marketplaces.supplier.wire import PortalAddress, PortalContact, PortalOrder
from domain.channels import Marketplace
from domain.money import to_money
from domain.order.marketplace import Address, Order, OrderLine


def to_order(channel: str, portal: PortalOrder) -> Order:
    return Order(
        channel=channel,
        marketplace=Marketplace.SUPPLIER,
        marketplace_order_id=portal.order_number,
        placed_at=portal.placed_at,
        lines=[
            OrderLine(
                line_id=item.line or str(position),
                marketplace_unit_ids=[item.line or str(position)],
                ean=item.ean or "",
                sku=item.sku,
                title=item.title,
                quantity=item.quantity,
                unit_price=to_money(item.price),
                quantity_shipped=item.quantity if portal.status == "shipped" else 0,
                quantity_cancelled=item.quantity if portal.status == "cancelled" else 0,
            )
            for position, item in enumerate(portal.items, start=1)
        ],
        shipping_address=to_address(portal.delivery_address, portal.contact),
    )


def to_address(address: PortalAddress, contact: PortalContact) -> Address:
    first, _, last = address.name.strip().partition(" ")
    return Address(
        first_name=first,
        surname=last,
        company=address.company,
        street_name=address.street,
        house_number=address.house_number,
        zip_code=address.postcode,
        city=address.city,
        country_code=address.country.upper(),
        email=contact.email,
        phone=contact.phone,
    )
