"""The Offer API v2 wire format: the UpsertRequest a client sends and the
Errors / ServiceError documents bol answers with, built and read with lxml.

Element names and their order follow bol's documented example; the sandbox
reads requests as strictly as an XSD would, so an ordering slip in the
builder fails our own tests instead of bol's validation."""

import re
from decimal import Decimal
from typing import Any

from lxml import etree
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from activities.marketplaces.plaza.limits import MAX_OFFERS_PER_REQUEST, MAX_QUANTITY
from activities.marketplaces.plaza.safexml import PlazaXmlError, local_name, safe_parse
from domain.ean import is_valid_ean, normalise_ean
from domain.money import to_money
from domain.offers.condition import OfferCondition
from domain.offers.model import DesiredOffer

NAMESPACE = "https://plazaapi.bol.com/offers/xsd/api-2.0.xsd"

_XSD_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_XSD_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


class PlazaOffer(BaseModel):
    """One <RetailerOffer>. Aliases are the element names, in document order.
    Enumerated fields are plain strings so that validation, not parsing, names
    a wrong value."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    ean: str = Field(alias="EAN")
    condition: str = Field(alias="Condition")
    price: Decimal = Field(alias="Price", allow_inf_nan=False)
    delivery_code: str = Field(alias="DeliveryCode")
    quantity_in_stock: int = Field(alias="QuantityInStock")
    publish: bool = Field(alias="Publish")
    # bol calls these two required but allows them empty.
    reference_code: str = Field("", alias="ReferenceCode")
    description: str = Field("", alias="Description")
    title: str | None = Field(None, alias="Title")
    fulfillment_method: str = Field("FBR", alias="FulfillmentMethod")

    @property
    def key(self) -> tuple[str, str]:
        """bol's identity of an offer: EAN + Condition."""
        return (self.ean, self.condition)

    @field_validator("price", mode="before")
    @classmethod
    def _xsd_decimal(cls, value: Any) -> Any:
        # Decimal() would also take "1E3" or "NaN"; xs:decimal takes neither.
        if isinstance(value, str):
            value = value.strip()
            if not _XSD_DECIMAL.fullmatch(value):
                raise ValueError(f"not a decimal with a dot: {value!r}")
        return value

    @field_validator("publish", mode="before")
    @classmethod
    def _xsd_boolean(cls, value: Any) -> Any:
        if isinstance(value, str):
            if value.strip() not in _XSD_BOOLEANS:
                raise ValueError(f"not true or false: {value!r}")
            return _XSD_BOOLEANS[value.strip()]
        return value


ELEMENTS = tuple(field.alias or name for name, field in PlazaOffer.model_fields.items())
OPTIONAL_ELEMENTS = ("Title", "FulfillmentMethod")


def offer_fields(offer: PlazaOffer) -> list[tuple[str, str | None]]:
    """(element, text) in document order; None means the element is left out."""
    return [(name, _text(getattr(offer, attr))) for name, attr in zip(ELEMENTS, PlazaOffer.model_fields, strict=True)]


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:f}"  # never exponent notation, always a dot
    return str(value)


def offer_from_desired(desired: DesiredOffer) -> PlazaOffer:
    """Nothing is shortened here: a value over a limit stays as it is so that
    validation reports it instead of bol receiving something else."""
    return PlazaOffer(
        # bol keys on EAN-13; a valid UPC-A becomes its EAN-13 so one product has one key.
        ean=normalise_ean(desired.ean) if is_valid_ean(desired.ean) else desired.ean,
        condition=desired.condition.value,
        price=to_money(desired.price),
        delivery_code=desired.delivery_code,
        # bol has no "more than 999"; everything above is simply "plenty".
        quantity_in_stock=min(desired.stock, MAX_QUANTITY),
        publish=not desired.on_hold,
        reference_code=desired.reference if desired.reference is not None else desired.sku,
        # bol ignores the condition text of NEW offers; sending it could only fail validation.
        description="" if desired.condition is OfferCondition.NEW else desired.description or "",
        title=desired.title,
        fulfillment_method=desired.fulfilment.value,
    )


def _q(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _append(parent: etree._Element, name: str, text: str | None) -> None:
    if text is not None:
        etree.SubElement(parent, _q(name)).text = text


def build_upsert_request(offers: list[PlazaOffer]) -> bytes:
    if not 1 <= len(offers) <= MAX_OFFERS_PER_REQUEST:
        raise ValueError(f"an UpsertRequest holds 1..{MAX_OFFERS_PER_REQUEST} offers, got {len(offers)}")
    root = etree.Element(_q("UpsertRequest"), nsmap={None: NAMESPACE})
    for offer in offers:
        element = etree.SubElement(root, _q("RetailerOffer"))
        for name, text in offer_fields(offer):
            _append(element, name, text)
    return _serialise(root)


def parse_upsert_request(data: bytes) -> list[PlazaOffer]:
    root = safe_parse(data)
    if root.tag != _q("UpsertRequest"):
        raise PlazaXmlError(f"root element must be UpsertRequest in {NAMESPACE}, got {etree.QName(root).text}")
    children = list(root)
    if not 1 <= len(children) <= MAX_OFFERS_PER_REQUEST:
        raise PlazaXmlError(f"an UpsertRequest holds 1..{MAX_OFFERS_PER_REQUEST} offers, got {len(children)}")
    return [_parse_offer(position, child) for position, child in enumerate(children, start=1)]


def _parse_offer(position: int, element: etree._Element) -> PlazaOffer:
    where = f"RetailerOffer {position}"
    if element.tag != _q("RetailerOffer"):
        raise PlazaXmlError(f"{where}: expected RetailerOffer, got {etree.QName(element).text}")
    values: dict[str, str] = {}
    previous = -1
    for child in element:
        name = local_name(child)
        if child.tag != _q(name) or name not in ELEMENTS:
            raise PlazaXmlError(f"{where}: unexpected element {etree.QName(child).text}")
        index = ELEMENTS.index(name)
        if index <= previous:
            raise PlazaXmlError(f"{where}: {name} is repeated or out of order")
        if len(child):
            raise PlazaXmlError(f"{where}: {name} must hold text only")
        values[name] = "".join(child.itertext())
        previous = index
    missing = [name for name in ELEMENTS if name not in values and name not in OPTIONAL_ELEMENTS]
    if missing:
        raise PlazaXmlError(f"{where}: missing {', '.join(missing)}")
    try:
        return PlazaOffer.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise PlazaXmlError(f"{where}: {problems}") from None


class PlazaError(BaseModel):
    """One <ValidationError>, or a <ServiceError> (which names no field)."""

    code: str
    message: str
    field: str | None = None
    value: str | None = None


def build_errors(errors: list[PlazaError]) -> bytes:
    root = etree.Element(_q("Errors"), nsmap={None: NAMESPACE})
    container = etree.SubElement(root, _q("ValidationErrors"))
    for error in errors:
        element = etree.SubElement(container, _q("ValidationError"))
        _append(element, "ErrorCode", error.code)
        _append(element, "ErrorMessage", error.message)
        _append(element, "Field", error.field)
        _append(element, "Value", error.value)
    return _serialise(root)


def build_service_error(error: PlazaError) -> bytes:
    root = etree.Element(_q("ServiceError"), nsmap={None: NAMESPACE})
    _append(root, "ErrorCode", error.code)
    _append(root, "ErrorMessage", error.message)
    return _serialise(root)


def parse_errors(data: bytes) -> list[PlazaError]:
    """Every ValidationError and ServiceError in the document, wherever it
    sits and in whichever namespace: bol's error bodies are not versioned."""
    return [
        _parse_error(element)
        for element in safe_parse(data).iter()
        if local_name(element) in ("ValidationError", "ServiceError")
    ]


def _parse_error(element: etree._Element) -> PlazaError:
    texts = {local_name(child): "".join(child.itertext()) for child in element}
    return PlazaError(
        code=texts.get("ErrorCode", ""),
        message=texts.get("ErrorMessage", ""),
        field=texts.get("Field"),
        value=texts.get("Value"),
    )
