"""The canonical order: what every channel's order is mapped to.

bol has one order item per offer with a quantity; Kaufland has one order unit
per piece. Both become lines with open/shipped/cancelled/returned quantities
that keep the marketplace's own ids."""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from domain.channels import Marketplace
from domain.money import Money


class Address(BaseModel):
    """Personal data of the buyer. Never put any of it in a search attribute,
    a log line or a span."""

    model_config = ConfigDict(hide_input_in_errors=True)

    first_name: str = ""
    surname: str = ""
    company: str | None = None
    street_name: str = ""
    house_number: str = ""
    house_number_extension: str | None = None
    extra_address_information: str | None = None
    zip_code: str = ""
    city: str = ""
    country_code: str = ""
    email: str | None = None
    phone: str | None = None
    pickup_point_name: str | None = None


class OrderLine(BaseModel):
    line_id: str
    # bol: [orderItemId]; Kaufland: one id_order_unit per piece.
    marketplace_unit_ids: list[str] = Field(default_factory=list)
    ean: str
    sku: str | None = None
    title: str = ""
    quantity: int
    unit_price: Money
    quantity_shipped: int = 0
    quantity_cancelled: int = 0
    quantity_returned: int = 0
    cancellation_requested: bool = False
    latest_delivery_date: date | None = None

    @property
    def open_quantity(self) -> int:
        return max(0, self.quantity - self.quantity_shipped - self.quantity_cancelled)


class Order(BaseModel):
    # Holds the Address: a validation error here would otherwise quote it.
    model_config = ConfigDict(hide_input_in_errors=True)

    channel: str
    marketplace: Marketplace
    marketplace_order_id: str
    placed_at: datetime
    lines: list[OrderLine]
    # ISO 4217 of every price on the order (Kaufland: the storefront's currency).
    currency: str = "EUR"
    shipping_address: Address = Field(default_factory=Address)
    pickup_point: bool = False

    @property
    def ship_by(self) -> date | None:
        dates = [line.latest_delivery_date for line in self.lines if line.latest_delivery_date]
        return min(dates) if dates else None

    def line(self, line_id: str) -> OrderLine:
        for line in self.lines:
            if line.line_id == line_id:
                return line
        raise KeyError(line_id)


class ReturnNotice(BaseModel):
    """A buyer announced a return on the marketplace."""

    model_config = ConfigDict(hide_input_in_errors=True)  # the reason may be the buyer's own words

    marketplace_order_id: str
    rma_id: str
    return_id: str | None = None
    ean: str
    line_id: str | None = None
    quantity: int
    reason: str = ""
    registered_at: datetime | None = None
