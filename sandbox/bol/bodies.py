"""Bodies of the control API (/_sandbox): what a test or a simulated buyer
sends. camelCase on the wire like bol's own JSON, snake_case keywords in
Python; unknown keys are refused so a typo does not pass silently."""

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic.alias_generators import to_camel

from sandbox.bol.params import DeliveryCode


class Control(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class NewOrderItem(Control):
    ean: str = Field(min_length=1)
    quantity: int = Field(ge=1)
    unit_price: Decimal = Field(gt=0, le=9999)
    title: str | None = None
    offer_reference: str | None = Field(default=None, max_length=100)
    fulfilment_method: Literal["FBR", "FBB"] = "FBR"


class NewOrder(Control):
    order_id: str | None = Field(default=None, min_length=1)
    country_code: Literal["NL", "BE"] = "NL"
    latest_delivery_days: int = Field(default=2, ge=0)
    pickup_point: bool = False
    items: list[NewOrderItem] = Field(min_length=1)


class CancellationAsk(Control):
    # None: every item that is still open.
    order_item_ids: list[str] | None = None


class NewReturn(Control):
    order_item_id: str = Field(min_length=1)
    quantity: int = Field(ge=1)
    main_reason: str = "Anders"
    detailed_reason: str | None = None
    customer_comments: str = ""


class OfferDrift(Control):
    """Changes the seller makes outside the API (in the seller portal): they
    take effect at once, with no process, and the engine has to notice."""

    stock: int | None = Field(default=None, ge=0, le=999)
    # The quantity-1 unit price; other bundle prices stay.
    price: Decimal | None = Field(default=None, ge=1, le=9999, decimal_places=2)
    on_hold_by_retailer: bool | None = None
    delivery_code: DeliveryCode | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> "OfferDrift":
        if all(value is None for value in self.model_dump().values()):
            raise ValueError("name at least one of stock, price, onHoldByRetailer, deliveryCode")
        return self


class PushEvent(Control):
    resource: str
    type: str | None = None
    resource_id: str


class PushAsk(Control):
    """A push bol sends to a subscription: signed, and delivered to `url`
    when one is given (else handed back for the caller to deliver)."""

    event: PushEvent
    url: str | None = None
