"""A portal order read from a file or a mail (`PortalOrderDraft`, in the
portal's own words) becomes the portal order every transport delivers
(`wire.PortalOrder`), so one validation and one mapping serve them all."""

from typing import Any

from activities.marketplaces.supplier.wire import PortalOrder
from domain.portal_formats import PortalField, PortalOrderDraft

# Where each PortalOrder field came from, to name a refused value in the portal's words.
SOURCE_FIELDS: dict[str, PortalField] = {
    "order_number": PortalField.ORDER_NUMBER,
    "placed_at": PortalField.ORDER_DATE,
    "sku": PortalField.SKU,
    "title": PortalField.DESCRIPTION,
    "quantity": PortalField.QUANTITY,
    "price": PortalField.UNIT_PRICE,
    "name": PortalField.DELIVERY_NAME,
    "company": PortalField.DELIVERY_COMPANY,
    "street": PortalField.ADDRESS_LINE_1,
    "postcode": PortalField.POSTCODE,
    "city": PortalField.CITY,
    "country": PortalField.COUNTRY,
    "email": PortalField.CONTACT_EMAIL,
    "phone": PortalField.CONTACT_PHONE,
}


def portal_order_data(draft: PortalOrderDraft) -> dict[str, Any]:
    # The portal writes the house number inside its address lines (UK style):
    # they go to `street` whole, and the house number stays empty.
    street = ", ".join(part for part in (draft.address_line_1, draft.address_line_2) if part)
    data: dict[str, Any] = {
        "order_number": draft.order_number,
        "items": [
            {"sku": line.sku, "title": line.description, "quantity": line.quantity, "price": line.unit_price}
            for line in draft.lines
        ],
        "contact": {
            "name": draft.contact_name or "",
            "email": draft.contact_email,
            "phone": draft.contact_phone,
        },
        "delivery_address": {
            "name": draft.delivery_name,
            "company": draft.delivery_company,
            "street": street,
            "postcode": draft.postcode,
            "city": draft.city,
            "country": draft.country,
        },
    }
    if draft.placed_at is not None:
        data["placed_at"] = draft.placed_at
    return data


def to_portal_order(draft: PortalOrderDraft) -> PortalOrder:
    """Raises pydantic's ValidationError; `refused` names its fields."""
    return PortalOrder.model_validate(portal_order_data(draft))


def refused(loc: tuple[int | str, ...]) -> tuple[int | None, PortalField | None]:
    """(item index, the portal's field) for a ValidationError location."""
    item = loc[1] if len(loc) > 1 and loc[0] == "items" and isinstance(loc[1], int) else None
    names = [part for part in loc if isinstance(part, str)]
    field = SOURCE_FIELDS.get(names[-1]) if names else None
    if field is PortalField.DELIVERY_NAME and names[0] == "contact":
        field = PortalField.CONTACT_NAME
    return item, field
