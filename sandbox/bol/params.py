"""What the Retailer and Shared API accept: query parameters and request
bodies, with the constraints the spec states. Unknown fields and parameters
are ignored, as bol does."""

import itertools
import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

CancellationReasonCode = Literal[
    "OUT_OF_STOCK",
    "REQUESTED_BY_CUSTOMER",
    "BAD_CONDITION",
    "HIGHER_SHIPCOST",
    "INCORRECT_PRICE",
    "NOT_AVAIL_IN_TIME",
    "NO_BOL_GUARANTEE",
    "ORDERED_TWICE",
    "RETAIN_ITEM",
    "TECH_ISSUE",
    "UNFINDABLE_ITEM",
    "OTHER",
]
HandlingResult = Literal[
    "RETURN_RECEIVED",
    "EXCHANGE_PRODUCT",
    "RETURN_DOES_NOT_MEET_CONDITIONS",
    "REPAIR_PRODUCT",
    "CUSTOMER_KEEPS_PRODUCT_PAID",
    "STILL_APPROVED",
]
EventType = Literal[
    "CREATE_SHIPMENT",
    "CANCEL_ORDER",
    "CHANGE_TRANSPORT",
    "HANDLE_RETURN_ITEM",
    "CREATE_RETURN_ITEM",
    "CREATE_INBOUND",
    "DELETE_OFFER",
    "CREATE_OFFER",
    "UPDATE_OFFER",
    "UPDATE_OFFER_STOCK",
    "UPDATE_OFFER_PRICE",
    "CREATE_OFFER_EXPORT",
    "UNPUBLISHED_OFFER_REPORT",
    "CREATE_PRODUCT_CONTENT",
    "CREATE_SUBSCRIPTION",
    "UPDATE_SUBSCRIPTION",
    "DELETE_SUBSCRIPTION",
    "SEND_SUBSCRIPTION_TST_MSG",
    "CREATE_SHIPPING_LABEL",
    "CREATE_REPLENISHMENT",
    "UPDATE_REPLENISHMENT",
    "REQUEST_PRODUCT_DESTINATIONS",
    "CREATE_SOV_SEARCH_TERM_REPORT",
    "CREATE_SOV_CATEGORY_REPORT",
    "UPLOAD_INVOICE",
    "CREATE_CAMPAIGN_PERFORMANCE_REPORT",
]


# The spec's query integers are int32: bol answers a larger page number with
# its 400, not with an empty page.
INT32_MAX = 2**31 - 1
Page = Annotated[int, Field(ge=1, le=INT32_MAX)]


class Inbound(BaseModel):
    # bol's JSON reader turns numbers into strings where a string is expected.
    model_config = ConfigDict(extra="ignore", coerce_numbers_to_str=True, populate_by_name=True)


class OrdersQuery(Inbound):
    page: Page = 1
    fulfilment_method: Literal["FBR", "FBB", "ALL"] = Field(default="FBR", alias="fulfilment-method")
    status: Literal["OPEN", "SHIPPED", "ALL"] = "OPEN"
    # The spec states only the maximum; an interval of no minutes, or fewer, is bol's 400 too.
    change_interval_minute: int | None = Field(default=None, ge=1, le=60, alias="change-interval-minute")
    latest_change_date: date | None = Field(default=None, alias="latest-change-date")


class ShipmentsQuery(Inbound):
    page: Page = 1
    fulfilment_method: Literal["FBR", "FBB"] | None = Field(default=None, alias="fulfilment-method")
    order_id: str | None = Field(default=None, alias="order-id")


class ReturnsQuery(Inbound):
    page: Page = 1
    handled: bool | None = None
    fulfilment_method: Literal["FBR", "FBB"] = Field(default="FBR", alias="fulfilment-method")


class ProcessStatusQuery(Inbound):
    entity_id: str = Field(alias="entity-id", min_length=1)
    event_type: EventType = Field(alias="event-type")
    page: Page = 1


class ShipmentOrderItem(Inbound):
    orderItemId: str = Field(min_length=1)
    # Omitted: everything still open on the item.
    quantity: int | None = Field(default=None, ge=1)


class TransportInstruction(Inbound):
    transporterCode: str = Field(min_length=1)
    trackAndTrace: str | None = None


class ChangeTransportRequest(Inbound):
    """PUT /retailer/transports/{transport-id}: trackAndTrace is required,
    the transporter optional (the transport keeps its own when none)."""

    transporterCode: str | None = Field(default=None, min_length=1)
    trackAndTrace: str = Field(min_length=1)


class ShipmentRequest(Inbound):
    orderItems: list[ShipmentOrderItem] = Field(min_length=1, max_length=100)
    # "Only 'null' or non-empty strings accepted."
    shipmentReference: str | None = Field(default=None, min_length=1, max_length=90)
    shippingLabelId: str | None = None
    transport: TransportInstruction | None = Field(default=None, validate_default=True)

    @field_validator("transport")
    @classmethod
    def _label_or_transport(
        cls, transport: TransportInstruction | None, info: ValidationInfo
    ) -> TransportInstruction | None:
        if (transport is None) == (info.data.get("shippingLabelId") is None):
            raise PydanticCustomError(
                "label_or_transport", "Either a shippingLabelId or a transport must be given, not both and not neither."
            )
        return transport


class OrderItemCancellation(Inbound):
    orderItemId: str = Field(min_length=1)
    reasonCode: CancellationReasonCode


class CancellationRequest(Inbound):
    orderItems: list[OrderItemCancellation] = Field(min_length=1, max_length=1)


class ReturnRequest(Inbound):
    handlingResult: HandlingResult
    quantityReturned: int = Field(ge=1, le=9999)


class ProcessStatusId(Inbound):
    processStatusId: str = Field(min_length=1)


class BulkProcessStatusRequest(Inbound):
    processStatusQueries: list[ProcessStatusId] = Field(min_length=1, max_length=1000)


# Offers. The spec states the bounds; the rules it states only in prose
# (a quantity-1 price, quantities up and prices down, no e-mail addresses in
# a condition comment) are checked here too, so they are 400s naming the
# field, like the rest.

ConditionName = Literal["NEW", "AS_NEW", "GOOD", "REASONABLE", "MODERATE"]
ConditionCategory = Literal["NEW", "SECONDHAND"]
FulfilmentMethod = Literal["FBR", "FBB"]
DeliveryCode = Literal[
    "24uurs-23",
    "24uurs-22",
    "24uurs-21",
    "24uurs-20",
    "24uurs-19",
    "24uurs-18",
    "24uurs-17",
    "24uurs-16",
    "24uurs-15",
    "24uurs-14",
    "24uurs-13",
    "24uurs-12",
    "1-2d",
    "2-3d",
    "3-5d",
    "4-8d",
    "1-8d",
    "MijnLeverbelofte",
    "VVB",
]
# Money with "2 decimal precision and dot separated": 12.95, never 12.955.
UnitPrice = Annotated[Decimal, Field(ge=1, le=9999, decimal_places=2)]
_E_MAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class Condition(Inbound):
    name: ConditionName
    # None: derived from the name, as bol does.
    category: ConditionCategory | None = None
    comment: str | None = Field(default=None, max_length=2000)

    @field_validator("comment")
    @classmethod
    def _comment_allowed(cls, comment: str | None, info: ValidationInfo) -> str | None:
        if comment and info.data.get("name") == "NEW":
            raise PydanticCustomError("comment_on_new", "A comment is only allowed when the condition is not NEW.")
        if comment and _E_MAIL.search(comment):
            raise PydanticCustomError("comment_e_mail", "A comment may not contain e-mail addresses.")
        return comment

    @property
    def derived_category(self) -> str:
        return self.category or ("NEW" if self.name == "NEW" else "SECONDHAND")


class BundlePrice(Inbound):
    quantity: int = Field(ge=1, le=24)
    unitPrice: UnitPrice


class Pricing(Inbound):
    bundlePrices: list[BundlePrice] = Field(min_length=1, max_length=4)

    @field_validator("bundlePrices")
    @classmethod
    def _a_price_list(cls, prices: list[BundlePrice]) -> list[BundlePrice]:
        if not any(price.quantity == 1 for price in prices):
            raise PydanticCustomError("no_single_price", "A bundle price for quantity 1 is required.")
        pairs = list(itertools.pairwise(prices))
        if any(later.quantity <= earlier.quantity for earlier, later in pairs):
            raise PydanticCustomError("quantities_not_increasing", "Bundle quantities must be in increasing order.")
        if any(later.unitPrice >= earlier.unitPrice for earlier, later in pairs):
            raise PydanticCustomError("prices_not_decreasing", "Bundle prices must be in decreasing order.")
        return prices

    @property
    def unit_price(self) -> Decimal:
        """The price of a single unit: what a buyer of one pays."""
        return next(price.unitPrice for price in self.bundlePrices if price.quantity == 1)


class StockCreate(Inbound):
    amount: int = Field(ge=0, le=999)
    managedByRetailer: bool


class Fulfilment(Inbound):
    method: FulfilmentMethod
    # Only used with FBR; bol keeps it for FBB offers all the same.
    deliveryCode: DeliveryCode | None = None


class CreateOfferRequest(Inbound):
    ean: str = Field(min_length=1)
    economicOperatorId: str | None = None
    condition: Condition
    reference: str | None = Field(default=None, max_length=100)
    onHoldByRetailer: bool = False
    unknownProductTitle: str | None = Field(default=None, max_length=500)
    pricing: Pricing
    stock: StockCreate
    fulfilment: Fulfilment


class UpdateOfferRequest(Inbound):
    # Left out, onHoldByRetailer is false (the spec's default); the optional
    # texts are kept unless sent (see OfferBook.update).
    economicOperatorId: str | None = None
    reference: str | None = Field(default=None, max_length=100)
    onHoldByRetailer: bool = False
    unknownProductTitle: str | None = Field(default=None, max_length=500)
    fulfilment: Fulfilment


class UpdateOfferPriceRequest(Inbound):
    pricing: Pricing


class UpdateOfferStockRequest(StockCreate):
    """The same two fields as when the offer was created."""


class CreateOfferExportRequest(Inbound):
    format: Literal["CSV"]


class DeliveryOptionsRequest(Inbound):
    orderItems: list[ShipmentOrderItem] = Field(min_length=1)


class ShippingLabelRequest(Inbound):
    orderItems: list[ShipmentOrderItem] = Field(min_length=1)
    shippingLabelOfferId: str = Field(min_length=1)
