"""The seller's units (Kaufland's offers) on each storefront, as the Seller
API v2 keeps them: integer cents, an `id_offer` unique across the seller's
inventory that links a unit's amount across storefronts, ONHOLD/AVAILABLE.
Requests are checked field by field as the spec says (UnitRequest,
UnitPatchRequest: no unknown fields), and a refusal names the field."""

import itertools
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from stdnum import ean as gtin
from stdnum.exceptions import ValidationError as InvalidNumber

CURRENCY = {"cz": "CZK", "pl": "PLN"}  # the other storefronts sell in EUR
# Highest listing price per currency, in cents.
MAX_PRICE = {"EUR": 100_000_000, "CZK": 2_500_000_000, "PLN": 450_000_000}
CONDITIONS = (
    "NEW",
    "USED___AS_NEW",
    "USED___VERY_GOOD",
    "USED___GOOD",
    "USED___ACCEPTABLE",
    "REFURBISHED___AS_NEW",
    "REFURBISHED___VERY_GOOD",
    "REFURBISHED___GOOD",
    "REFURBISHED___ACCEPTABLE",
)
# The CSV files' integer condition codes.
CONDITION_CODES = {
    100: "NEW",
    200: "USED___AS_NEW",
    300: "USED___VERY_GOOD",
    400: "USED___GOOD",
    500: "USED___ACCEPTABLE",
}


class Refused(Exception):
    """Kaufland's 400 (or 404): `errors` are (field, message) pairs."""

    def __init__(self, message: str, errors: list[tuple[str, str]], status: int = 400, kind: str = "validation-error"):
        super().__init__(message)
        self.errors = errors
        self.status = status
        self.kind = kind


class UnitStatus(StrEnum):
    AVAILABLE = "AVAILABLE"
    ONHOLD = "ONHOLD"


class UnitRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id_offer: str
    listing_price: int = Field(ge=1)
    handling_time: int = Field(ge=0, le=100)
    amount: int = Field(default=1, ge=0)
    minimum_price: int | None = Field(default=None, ge=1)
    note: str | None = Field(default=None, max_length=250)
    id_shipping_group: int | None = None
    id_warehouse: int | None = None
    ean: str | None = None
    id_product: int | None = None
    condition: int | str = "NEW"
    vat_indicator: str | None = None
    eco_participation: int | None = Field(default=None, ge=1)
    battery_participation: int | None = Field(default=None, ge=1)


class UnitPatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: UnitStatus | None = None
    amount: int | None = Field(default=None, ge=0)
    handling_time: int | None = Field(default=None, ge=0, le=100)
    listing_price: int | None = Field(default=None, ge=1)
    minimum_price: int | None = Field(default=None, ge=1)
    note: str | None = None
    id_shipping_group: int | None = None
    id_warehouse: int | None = None
    vat_indicator: str | None = None
    eco_participation: int | None = Field(default=None, ge=1)
    battery_participation: int | None = Field(default=None, ge=1)


@dataclass
class Unit:
    id_unit: int
    id_offer: str
    ean: str
    storefront: str
    condition: str
    listing_price: int
    amount: int
    handling_time: int
    status: UnitStatus
    inserted: datetime
    changed: datetime
    note: str | None = None
    minimum_price: int | None = None
    # (when, amount) at every change of the amount: how fast stock reached Kaufland.
    history: list[tuple[datetime, int]] = field(default_factory=list)


def product_id(ean: str) -> int:
    # One product per EAN, the same id every time.
    return int(ean.lstrip("0") or "1") % 900_000_000 + 100_000_000


def check_ean(ean: str | None) -> str | None:
    """Why Kaufland refuses this EAN, or None."""
    if not ean or not ean.isdigit() or len(ean) not in (13, 14):
        return "must be 13 or 14 digits"
    try:
        gtin.validate(ean)
    except InvalidNumber:
        return "is not a valid EAN (check digit)"
    return None


def condition_of(value: int | str) -> str | None:
    if isinstance(value, int) or value.isdigit():
        return CONDITION_CODES.get(int(value))
    return value if value in CONDITIONS else None


def _refusal(exc: ValidationError) -> Refused:
    errors = [(".".join(str(p) for p in e["loc"]) or "body", e["msg"]) for e in exc.errors()]
    return Refused("Request parameters have invalid values", errors)


class UnitBook:
    def __init__(self, unknown_eans: frozenset[str] = frozenset()) -> None:
        # EANs Kaufland's catalogue does not know: a unit needs a product.
        self.unknown_eans = unknown_eans
        self._units: dict[int, Unit] = {}
        self._ids = itertools.count(300_000_001)

    # Reading.

    def get(self, id_unit: int, storefront: str) -> Unit:
        unit = self._units.get(id_unit)
        if unit is None or unit.storefront != storefront:
            raise Refused(f"Unit {id_unit} not found", [], status=404, kind="not-found")
        return unit

    def listed(self, storefront: str, id_offer: str | None = None, ean: str | None = None) -> list[Unit]:
        return [
            u
            for u in self._units.values()
            if u.storefront == storefront
            and (id_offer is None or u.id_offer == id_offer)
            and (ean is None or u.ean == ean)
        ]

    def listed_everywhere(self) -> list[Unit]:
        return list(self._units.values())

    def by_offer(self, id_offer: str) -> list[Unit]:
        return [u for u in self._units.values() if u.id_offer == id_offer]

    # Writing.

    def create(self, storefront: str, body: Any, now: datetime | None = None) -> Unit:
        try:
            request = UnitRequest.model_validate(body)
        except ValidationError as exc:
            raise _refusal(exc) from None
        return self.upsert(
            storefront,
            id_offer=request.id_offer,
            ean=request.ean,
            condition=request.condition,
            listing_price=request.listing_price,
            amount=request.amount,
            handling_time=request.handling_time,
            note=request.note,
            create_only=True,
            now=now,
        )

    def upsert(
        self,
        storefront: str,
        *,
        id_offer: str,
        ean: str | None,
        condition: int | str,
        listing_price: int,
        amount: int,
        handling_time: int,
        note: str | None = None,
        create_only: bool = False,
        now: datetime | None = None,
    ) -> Unit:
        """A new unit, or (create_only=False) the existing one of this id_offer changed."""
        now = now or datetime.now(UTC)
        errors = []
        if (why := check_ean(ean)) is not None:
            errors.append(("ean", why))
        elif ean in self.unknown_eans:
            errors.append(("ean", f"{ean} is not in the Kaufland catalogue"))
        named = condition_of(condition)
        if named is None:
            errors.append(("condition", f"{condition!r} is not a unit condition"))
        currency = CURRENCY.get(storefront, "EUR")
        if listing_price > MAX_PRICE[currency]:
            errors.append(("listing_price", f"must be at most {MAX_PRICE[currency]} cents of {currency}"))
        if errors:
            raise Refused("Request parameters have invalid values", errors)
        existing = [u for u in self.by_offer(id_offer) if u.storefront == storefront]
        if existing and create_only:
            raise Refused(
                f"id_offer {id_offer!r} is already used by unit {existing[0].id_unit}",
                [("id_offer", "must be unique across the seller's inventory")],
                kind="already-exists",
            )
        if existing:
            unit = existing[0]
            unit.listing_price, unit.handling_time, unit.changed = listing_price, handling_time, now
            unit.condition = named or unit.condition
            self._set_amount(id_offer, amount, now)
            return unit
        unit = Unit(
            id_unit=next(self._ids),
            id_offer=id_offer,
            ean=ean or "",
            storefront=storefront,
            condition=named or "NEW",
            listing_price=listing_price,
            amount=amount,
            handling_time=handling_time,
            status=UnitStatus.AVAILABLE,
            inserted=now,
            changed=now,
            note=note,
        )
        self._units[unit.id_unit] = unit
        self._set_amount(id_offer, amount, now)
        return unit

    def patch(self, id_unit: int, storefront: str, body: Any, now: datetime | None = None) -> Unit:
        now = now or datetime.now(UTC)
        unit = self.get(id_unit, storefront)
        try:
            request = UnitPatchRequest.model_validate(body)
        except ValidationError as exc:
            raise _refusal(exc) from None
        currency = CURRENCY.get(storefront, "EUR")
        if request.listing_price is not None and request.listing_price > MAX_PRICE[currency]:
            raise Refused(
                "Request parameters have invalid values",
                [("listing_price", f"must be at most {MAX_PRICE[currency]} cents of {currency}")],
            )
        for name in ("status", "handling_time", "listing_price", "minimum_price", "note"):
            value = getattr(request, name)
            if value is not None:
                setattr(unit, name, value)
        unit.changed = now
        if request.amount is not None:
            self._set_amount(unit.id_offer, request.amount, now)
        return unit

    def delete(self, id_unit: int, storefront: str) -> None:
        self.get(id_unit, storefront)
        del self._units[id_unit]

    def sell(self, id_offer: str, pieces: int = 1, now: datetime | None = None) -> None:
        """A buyer ordered: the amount of every unit linked by id_offer goes down."""
        linked = self.by_offer(id_offer)
        if linked:
            self._set_amount(id_offer, max(0, linked[0].amount - pieces), now or datetime.now(UTC))

    def drift(self, id_unit: int, **fields: Any) -> Unit:
        """An edit in the seller portal (control API): the engine's reconciliation must notice."""
        unit = self._units[id_unit]
        if "amount" in fields:
            self._set_amount(unit.id_offer, int(fields.pop("amount")), datetime.now(UTC))
        updated = replace(unit, **fields)
        self._units[id_unit] = updated
        return updated

    def _set_amount(self, id_offer: str, amount: int, now: datetime) -> None:
        # Units linked by id_offer share their amount across storefronts.
        for unit in self.by_offer(id_offer):
            if not unit.history or unit.history[-1][1] != amount:
                unit.history.append((now, amount))
            unit.amount, unit.changed = amount, now


def unit_wire(unit: Unit, products: bool = False) -> dict[str, Any]:
    """The unit as the spec's Unit / UnitEmbedded."""
    body: dict[str, Any] = {
        "status": unit.status.value,
        "currency": CURRENCY.get(unit.storefront, "EUR"),
        "id_unit": unit.id_unit,
        "note": unit.note,
        "condition": unit.condition,
        "listing_price": unit.listing_price,
        "minimum_price": unit.minimum_price or unit.listing_price,
        "price": unit.listing_price,
        "id_offer": unit.id_offer,
        "id_product": product_id(unit.ean),
        "id_shipping_group": None,
        "id_warehouse": None,
        "amount": unit.amount,
        "date_inserted_iso": _iso(unit.inserted),
        "date_lastchange_iso": _iso(unit.changed),
        "handling_time": unit.handling_time,
        "shipping_rate": 0,
        "storefront": unit.storefront,
        "transport_time_min": 1,
        "transport_time_max": 3,
        "fulfillment_type": "fulfilled_by_merchant",
        "vat_indicator": "standard_rate",
    }
    if products:
        body["product"] = {
            "id_product": product_id(unit.ean),
            "storefront": unit.storefront,
            "title": f"Product {unit.ean}",
            "eans": [unit.ean],
            "id_category": 1,
            "main_picture": f"https://media.sandbox.invalid/{unit.ean}.jpg",
            "manufacturer": "Sandbox",
            "url": f"https://www.kaufland.{unit.storefront}/product/{product_id(unit.ean)}/",
            "age_rating": 0,
            "is_valid": True,
            "dangerous_goods_li_shipping": None,
            "danger_label_9A": None,
        }
    return body


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
