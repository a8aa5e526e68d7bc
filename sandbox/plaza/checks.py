"""The sandbox's validation of one offer: the client's rules, worded as bol
words its ValidationErrors, plus the one rule only the server can apply —
whether bol has a product for the EAN at all."""

from activities.marketplaces.plaza.validation import validate_offer
from activities.marketplaces.plaza.xml import PlazaError, PlazaOffer, offer_fields

# The only codes and messages bol's pages show; other fields get the generic
# XSD-error code with our own wording.
_DOCUMENTED = {
    "EAN": ("41102", "The EAN is not valid."),
    "DeliveryCode": ("41104", "The delivery code is not valid; check the documentation for valid values."),
}
_GENERIC_CODE = "41100"

UNKNOWN_EAN_MESSAGE = "The EAN is not valid: bol has no product with this EAN."


def offer_errors(offer: PlazaOffer, known_eans: frozenset[str] | None) -> list[PlazaError]:
    values = dict(offer_fields(offer))
    errors = []
    for violation in validate_offer(offer):
        code, message = _DOCUMENTED.get(violation.name, (_GENERIC_CODE, str(violation)))
        errors.append(PlazaError(code=code, message=message, field=violation.name, value=values[violation.name] or ""))
    has_ean_error = any(error.field == "EAN" for error in errors)
    if known_eans is not None and not has_ean_error and offer.ean not in known_eans:
        errors.append(PlazaError(code="41102", message=UNKNOWN_EAN_MESSAGE, field="EAN", value=offer.ean))
    return errors
