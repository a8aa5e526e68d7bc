"""Kaufland's JSON as pydantic models: tolerant readers (unknown fields are
ignored, unknown statuses kept as strings) for what the adapter reads."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class Wire(BaseModel):
    # A record that fails validation is named by its fields, never quoted:
    # the error reaches logs and spans, and it may hold a buyer's address,
    # e-mail or the words of a ticket or return.
    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)


class FieldError(Wire):
    field: str | None = None
    message: str = ""


class ErrorResponse(Wire):
    type: str | None = None
    message: str = ""
    errors: list[FieldError] = Field(default_factory=list)


class Address(Wire):
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    street: str | None = None
    house_number: str | None = None
    postcode: str | None = None
    additional_field: str | None = None
    city: str | None = None
    phone: str | None = None
    country: str | None = None


class Buyer(Wire):
    id_buyer: int | None = None
    email: str | None = None


class Product(Wire):
    id_product: int | None = None
    title: str = ""
    eans: list[str] = Field(default_factory=list)


class OrderUnit(Wire):
    """One piece of an order. Money fields are integer cents."""

    id_order_unit: int
    id_order: str
    ts_created_iso: datetime
    ts_updated_iso: datetime
    # Kept as a string: a status Kaufland adds later must not make the unit unreadable.
    status: str
    price: int
    id_offer: str | None = None
    currency: str = "EUR"
    storefront: str = "de"
    cancel_reason: str | None = None
    delivery_time_expires_iso: datetime | None = None
    buyer: Buyer | None = None
    shipping_address: Address | None = None
    product: Product | None = None

    @property
    def ean(self) -> str:
        return self.product.eans[0] if self.product and self.product.eans else ""


class OrderDetails(Wire):
    id_order: str
    ts_created_iso: datetime
    storefront: str = "de"
    order_units: list[OrderUnit] = Field(default_factory=list)
    shipping_address: Address | None = None
    buyer: Buyer | None = None


class Carrier(Wire):
    name: str
    isHauler: bool = False
