"""The rules bol applies to every offer in an upsert, checked before sending.

bol rejects a whole batch for one bad offer, so every rule caught here saves
a round trip and keeps the culprit's reason precise. Each violation names the
element, as bol's own ValidationError does."""

import re

from activities.marketplaces.plaza.limits import (
    CONDITIONS,
    DELIVERY_CODES,
    FULFILLMENT_METHODS,
    MAX_DESCRIPTION,
    MAX_PRICE,
    MAX_QUANTITY,
    MAX_REFERENCE_CODE,
    MAX_TITLE,
)
from activities.marketplaces.plaza.xml import PlazaOffer, offer_fields
from domain.ean import is_valid_ean
from domain.errors import Violation
from domain.money import CENT

# Characters outside XML 1.0's Char production: lxml refuses to write them,
# which would otherwise break the whole batch instead of one offer.
_NOT_XML_TEXT = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def validate_offer(offer: PlazaOffer) -> list[Violation]:
    violations: list[Violation] = []

    def check(ok: bool, name: str, reason: str) -> None:
        if not ok:
            violations.append(Violation(name=name, reason=reason))

    def one_of(name: str, value: str, allowed: tuple[str, ...]) -> None:
        check(value in allowed, name, f"must be one of {', '.join(allowed)}, got {value!r}")

    def at_most(name: str, text: str | None, limit: int) -> None:
        length = len(text or "")
        check(length <= limit, name, f"must be at most {limit} characters, got {length}")

    check(is_valid_ean(offer.ean), "EAN", f"must be a valid EAN, got {offer.ean!r}")
    one_of("Condition", offer.condition, CONDITIONS)
    price = f"{offer.price:f}"
    in_range = 0 < offer.price <= MAX_PRICE
    check(in_range, "Price", f"must be more than 0 and at most {MAX_PRICE}, got {price}")
    # Only in range: quantize() raises on values with more digits than the context holds.
    if in_range:
        check(offer.price == offer.price.quantize(CENT), "Price", f"must have at most 2 decimals, got {price}")
    one_of("DeliveryCode", offer.delivery_code, DELIVERY_CODES)
    quantity = offer.quantity_in_stock
    check(0 <= quantity <= MAX_QUANTITY, "QuantityInStock", f"must be 0..{MAX_QUANTITY}, got {quantity}")
    at_most("ReferenceCode", offer.reference_code, MAX_REFERENCE_CODE)
    at_most("Description", offer.description, MAX_DESCRIPTION)
    at_most("Title", offer.title, MAX_TITLE)
    one_of("FulfillmentMethod", offer.fulfillment_method, FULFILLMENT_METHODS)
    for name, text in offer_fields(offer):
        check(text is None or not _NOT_XML_TEXT.search(text), name, "contains characters XML cannot carry")
    return violations
