"""The portal's order, as every transport delivers it: order number, items
(SKU and/or EAN, quantity, price), contact and delivery address. The API
and the webhook send it as JSON; the file drop and e-mail readers build the
same model from CSV rows and mail text, so one validation names a bad
field the same way whatever the transport."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from domain.ean import normalise_ean
from domain.ids import portal_order_number


class PortalItem(BaseModel):
    model_config = ConfigDict(extra="ignore")

    # The portal's line number; items without one are numbered in order.
    line: str | None = Field(default=None, max_length=32)
    sku: str | None = Field(default=None, min_length=1, max_length=64)
    ean: str | None = Field(default=None, pattern=r"^[0-9]{8,14}$")
    title: str = Field(default="", max_length=500)
    quantity: int = Field(ge=1, le=10_000)
    price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)

    @field_validator("ean")
    @classmethod
    def _ean(cls, value: str | None) -> str | None:
        return normalise_ean(value) if value else None

    @model_validator(mode="after")
    def _sku_or_ean(self) -> "PortalItem":
        if not self.sku and not self.ean:
            raise ValueError("an item needs a sku or an ean")
        return self


class PortalContact(BaseModel):
    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)

    name: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=50)


class PortalAddress(BaseModel):
    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)

    name: str = Field(min_length=1, max_length=200)
    company: str | None = Field(default=None, max_length=200)
    street: str = Field(min_length=1, max_length=200)
    house_number: str = Field(default="", max_length=20)
    postcode: str = Field(min_length=1, max_length=20)
    city: str = Field(min_length=1, max_length=100)
    country: str = Field(min_length=2, max_length=2, pattern="^[A-Za-z]{2}$")


PortalStatus = Literal["new", "processing", "shipped", "cancelled"]


class PortalOrder(BaseModel):
    """Personal data inside (contact, address): never log or trace it."""

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)

    # Trimmed and upper-cased by _number: one spelling for every transport.
    order_number: str = Field(pattern=r"^\s*[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\s*$")
    placed_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    status: PortalStatus = "new"
    items: list[PortalItem] = Field(min_length=1, max_length=500)
    contact: PortalContact = Field(default_factory=PortalContact)
    delivery_address: PortalAddress

    @field_validator("order_number")
    @classmethod
    def _number(cls, value: str) -> str:
        return portal_order_number(value)

    @field_validator("placed_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    @model_validator(mode="after")
    def _lines(self) -> "PortalOrder":
        seen: set[str] = set()
        for position, item in enumerate(self.items, start=1):
            item.line = item.line or str(position)
            if item.line in seen:
                raise ValueError(f"items: line {item.line} appears twice")
            seen.add(item.line)
        return self

    @property
    def open(self) -> bool:
        return self.status in ("new", "processing")


class PortalOrderPage(BaseModel):
    """One page of `GET /api/v1/orders?from=…&to=…&page=…`."""

    model_config = ConfigDict(extra="ignore")

    orders: list[dict[str, object]]
    page: int
    total_pages: int


def problems(exc: Exception) -> str:
    """A pydantic error as `field: why; …`, never quoting the values (personal data)."""
    if not isinstance(exc, ValidationError):
        return str(exc)
    return "; ".join(f"{'.'.join(str(part) for part in err['loc']) or 'body'}: {err['msg']}" for err in exc.errors())
