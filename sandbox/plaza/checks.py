"""The sandbox's validation of one offer, written from bol's field table
("Create and Update"), plus the one rule only the server can apply: whether
bol has a product for the EAN at all.

Each failed field is one ValidationError naming the element and the value
sent. bol shows its own code and message for a bad EAN (41102) and a bad
delivery code (41104); every other field gets the generic XSD-error code
(41100) with the sandbox's own wording."""

import re
from decimal import Decimal, InvalidOperation

from sandbox.plaza.protocol import (
    CONDITIONS,
    DEFAULT_FULFILLMENT_METHOD,
    DELIVERY_CODES,
    FULFILLMENT_METHODS,
    INVALID_DELIVERY_CODE,
    INVALID_EAN,
    MAX_LENGTHS,
    MAX_PRICE,
    MAX_QUANTITY,
    MIN_QUANTITY,
    PRICE_STEP,
    XSD_ERROR,
)
from sandbox.plaza.state import StoredOffer
from sandbox.plaza.wire import ErrorEntry, ReceivedOffer

UNKNOWN_EAN_MESSAGE = "The EAN is not valid: bol has no product with this EAN."

# XSD lexical forms. Numbers and booleans are whitespace-collapsed before
# matching; strings are taken as sent.
_XS_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_XS_INT = re.compile(r"[+-]?[0-9]+")
_XS_BOOLEAN = {"true": True, "1": True, "false": False, "0": False}


def is_ean13(value: str) -> bool:
    """Thirteen digits whose last is the GS1 mod-10 check digit. bol's EANs
    are EAN-13: shorter codes appear zero-padded ("0000007740404")."""
    if len(value) != 13 or not value.isascii() or not value.isdigit():
        return False
    # From the right, leaving out the check digit: weights 3, 1, 3, 1, ...
    weighted = sum(int(digit) * (3 if i % 2 == 0 else 1) for i, digit in enumerate(reversed(value[:-1])))
    return (10 - weighted % 10) % 10 == int(value[-1])


def check_offer(offer: ReceivedOffer, known_eans: frozenset[str] | None) -> tuple[StoredOffer | None, list[ErrorEntry]]:
    """The offer to store, or None and why not."""
    texts = offer.texts
    errors: list[ErrorEntry] = []

    def refuse(field: str, message: str, code: str = XSD_ERROR) -> None:
        errors.append(ErrorEntry(code, message, field=field, value=texts.get(field, "")))

    ean = texts["EAN"]
    if not is_ean13(ean):
        refuse("EAN", INVALID_EAN[1], INVALID_EAN[0])
    elif known_eans is not None and ean not in known_eans:
        refuse("EAN", UNKNOWN_EAN_MESSAGE, INVALID_EAN[0])

    condition = texts["Condition"]
    if condition not in CONDITIONS:
        refuse("Condition", f"Condition must be one of {', '.join(sorted(CONDITIONS))}.")

    price = _decimal(texts["Price"])
    if price is None:
        refuse("Price", "Price must be a decimal number with a dot as separator.")
    elif not Decimal(0) < price <= MAX_PRICE:
        refuse("Price", f"Price must be more than 0 and at most {MAX_PRICE}.")
    elif price % PRICE_STEP:
        refuse("Price", "Price can have at most 2 decimals.")

    if texts["DeliveryCode"] not in DELIVERY_CODES:
        refuse("DeliveryCode", INVALID_DELIVERY_CODE[1], INVALID_DELIVERY_CODE[0])

    quantity = _integer(texts["QuantityInStock"])
    if quantity is None or not MIN_QUANTITY <= quantity <= MAX_QUANTITY:
        refuse("QuantityInStock", f"QuantityInStock must be a whole number from {MIN_QUANTITY} to {MAX_QUANTITY}.")

    publish = _XS_BOOLEAN.get(texts["Publish"].strip())
    if publish is None:
        refuse("Publish", "Publish must be true or false.")

    for field, limit in MAX_LENGTHS.items():
        if len(texts.get(field) or "") > limit:
            refuse(field, f"{field} can have at most {limit} characters.")

    fulfillment_method = texts.get("FulfillmentMethod", DEFAULT_FULFILLMENT_METHOD)
    if fulfillment_method not in FULFILLMENT_METHODS:
        refuse("FulfillmentMethod", f"FulfillmentMethod must be one of {', '.join(sorted(FULFILLMENT_METHODS))}.")

    if errors or price is None or quantity is None or publish is None:
        return None, errors
    stored = StoredOffer(
        ean=ean,
        condition=condition,
        price=price,
        delivery_code=texts["DeliveryCode"],
        quantity_in_stock=quantity,
        publish=publish,
        reference_code=texts["ReferenceCode"],
        description=texts["Description"],
        title=texts.get("Title"),
        fulfillment_method=fulfillment_method,
    )
    return stored, []


def _decimal(text: str) -> Decimal | None:
    text = text.strip()
    if not _XS_DECIMAL.fullmatch(text):
        return None  # also "1E3", "NaN" and "12,50", which Decimal() or a locale might take
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _integer(text: str) -> int | None:
    text = text.strip()
    if not _XS_INT.fullmatch(text):
        return None
    try:
        return int(text)
    except ValueError:  # more digits than int() converts: far out of range anyway
        return None
