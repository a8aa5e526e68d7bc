"""Response bodies of the Retailer and Shared API v10, named as in the spec.
Only fields the sandbox fills are modelled; None fields are left out of the
JSON, as bol does."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, TypeAdapter

PROBLEM_TYPE = "https://api.bol.com/problems"
_MOMENT = TypeAdapter(datetime)


def wire_time(moment: datetime) -> str:
    """A moment as the JSON bodies write it ("2025-03-03T09:00:00.500000Z"),
    for the sandbox's own records."""
    return _MOMENT.dump_python(moment, mode="json")


# Amounts are JSON numbers on the wire; Decimal keeps the cents exact in between.
Money = Annotated[Decimal, PlainSerializer(lambda value: float(value), return_type=float, when_used="json")]


class Wire(BaseModel):
    # Buyers' names and addresses: errors name the field, never quote the value.
    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class Violation(Wire):
    name: str
    reason: str


class Problem(Wire):
    type: str = PROBLEM_TYPE
    title: str
    status: int
    detail: str
    host: str = "Instance-001"
    instance: str | None = None
    violations: list[Violation] = Field(default_factory=list)


class Link(Wire):
    rel: str
    href: str
    method: str


class ProcessStatus(Wire):
    processStatusId: str
    # None until a POST's process succeeds (see Process.entity_on_success).
    entityId: str | None = None
    eventType: str
    description: str
    status: str
    errorMessage: str | None = None
    createTimestamp: datetime
    links: list[Link] = Field(default_factory=list)


class ProcessStatusResponse(Wire):
    processStatuses: list[ProcessStatus]


class Address(Wire):
    salutation: str
    firstName: str
    surname: str
    streetName: str
    houseNumber: str
    houseNumberExtension: str | None = None
    extraAddressInformation: str | None = None
    zipCode: str
    city: str
    countryCode: str
    email: str
    company: str | None = None


class ShipmentDetails(Address):
    pickupPointName: str | None = None
    deliveryPhoneNumber: str | None = None
    language: str


class BillingDetails(Address):
    vatNumber: str | None = None
    kvkNumber: str | None = None
    orderReference: str | None = None


class CustomerDetails(Address):
    deliveryPhoneNumber: str | None = None


class OrderFulfilment(Wire):
    method: str
    distributionParty: str
    latestDeliveryDate: date
    expiryDate: date
    timeFrameType: str = "REGULAR"


class OrderOffer(Wire):
    offerId: str
    reference: str | None = None


class OrderProduct(Wire):
    ean: str
    title: str


class Discount(Wire):
    title: str
    amount: Money


class OrderItem(Wire):
    orderItemId: str
    cancellationRequest: bool = False
    fulfilment: OrderFulfilment
    offer: OrderOffer
    product: OrderProduct
    quantity: int
    quantityShipped: int = 0
    quantityCancelled: int = 0
    unitPrice: Money
    totalPrice: Money
    discounts: list[Discount] = Field(default_factory=list)
    commission: Money
    latestChangedDateTime: datetime

    @property
    def open_quantity(self) -> int:
        return self.quantity - self.quantityShipped - self.quantityCancelled

    def reduced(self) -> "ReducedOrderItem":
        return ReducedOrderItem(
            orderItemId=self.orderItemId,
            ean=self.product.ean,
            fulfilmentMethod=self.fulfilment.method,
            fulfilmentStatus="OPEN" if self.open_quantity > 0 else "HANDLED",
            quantity=self.quantity,
            quantityShipped=self.quantityShipped,
            quantityCancelled=self.quantityCancelled,
            cancellationRequest=self.cancellationRequest,
            latestChangedDateTime=self.latestChangedDateTime,
        )


class Order(Wire):
    orderId: str
    pickupPoint: bool = False
    orderPlacedDateTime: datetime
    shipmentDetails: ShipmentDetails
    billingDetails: BillingDetails
    orderItems: list[OrderItem]

    def item(self, order_item_id: str) -> OrderItem | None:
        return next((item for item in self.orderItems if item.orderItemId == order_item_id), None)

    def reduced(self) -> "ReducedOrder":
        return ReducedOrder(
            orderId=self.orderId,
            orderPlacedDateTime=self.orderPlacedDateTime,
            orderItems=[item.reduced() for item in self.orderItems],
        )


class ReducedOrderItem(Wire):
    orderItemId: str
    ean: str
    fulfilmentMethod: str
    fulfilmentStatus: str
    quantity: int
    quantityShipped: int
    quantityCancelled: int
    cancellationRequest: bool
    latestChangedDateTime: datetime


class ReducedOrder(Wire):
    orderId: str
    orderPlacedDateTime: datetime
    orderItems: list[ReducedOrderItem]


class ReducedOrders(Wire):
    orders: list[ReducedOrder]


class ShipmentOrder(Wire):
    orderId: str
    orderPlacedDateTime: datetime


class ShipmentFulfilment(Wire):
    method: str
    distributionParty: str
    latestDeliveryDate: date


class ShipmentItem(Wire):
    orderItemId: str
    fulfilment: ShipmentFulfilment
    offer: OrderOffer
    product: OrderProduct
    quantity: int
    quantityShipped: int
    unitPrice: Money
    commission: Money


class TransportEvent(Wire):
    eventCode: str
    eventDateTime: datetime


class ShipmentTransport(Wire):
    transportId: str
    transporterCode: str | None = None
    trackAndTrace: str | None = None
    shippingLabelId: str | None = None
    transportEvents: list[TransportEvent] = Field(default_factory=list)


class Shipment(Wire):
    shipmentId: str
    shipmentDateTime: datetime
    # Required by the spec even when the seller sent none: then it is "".
    shipmentReference: str
    pickupPoint: bool
    order: ShipmentOrder
    shipmentDetails: ShipmentDetails
    billingDetails: BillingDetails
    shipmentItems: list[ShipmentItem]
    transport: ShipmentTransport

    def reduced(self) -> "ReducedShipment":
        return ReducedShipment(
            shipmentId=self.shipmentId,
            shipmentDateTime=self.shipmentDateTime,
            shipmentReference=self.shipmentReference,
            order=self.order,
            shipmentItems=[
                ReducedShipmentItem(orderItemId=item.orderItemId, ean=item.product.ean) for item in self.shipmentItems
            ],
            transport=ReducedTransport(transportId=self.transport.transportId),
        )


class ReducedShipmentItem(Wire):
    orderItemId: str
    ean: str


class ReducedTransport(Wire):
    transportId: str


class ReducedShipment(Wire):
    shipmentId: str
    shipmentDateTime: datetime
    shipmentReference: str
    order: ShipmentOrder
    shipmentItems: list[ReducedShipmentItem]
    transport: ReducedTransport


class ShipmentsResponse(Wire):
    shipments: list[ReducedShipment]


class ReturnReason(Wire):
    mainReason: str
    detailedReason: str | None = None
    customerComments: str


class ReturnProcessingResult(Wire):
    quantity: int
    processingResult: str
    handlingResult: str
    processingDateTime: datetime


class ReturnItem(Wire):
    rmaId: str
    orderId: str
    ean: str
    title: str
    expectedQuantity: int
    returnReason: ReturnReason
    trackAndTrace: str | None = None
    transporterName: str | None = None
    handled: bool = False
    processingResults: list[ReturnProcessingResult] = Field(default_factory=list)
    customerDetails: CustomerDetails


class Return(Wire):
    returnId: str
    registrationDateTime: datetime
    fulfilmentMethod: str
    returnItems: list[ReturnItem]

    def reduced(self) -> "ReducedReturn":
        # The reduced shapes are strict subsets: dropping the extra fields is enough.
        return ReducedReturn.model_validate(self.model_dump())


class ReducedReturnItem(Wire):
    rmaId: str
    orderId: str
    ean: str
    expectedQuantity: int
    returnReason: ReturnReason
    handled: bool
    processingResults: list[ReturnProcessingResult]


class ReducedReturn(Wire):
    returnId: str
    registrationDateTime: datetime
    fulfilmentMethod: str
    returnItems: list[ReducedReturnItem]


class ReturnsResponse(Wire):
    returns: list[ReducedReturn]


class BundlePrice(Wire):
    quantity: int
    unitPrice: Money


class Pricing(Wire):
    bundlePrices: list[BundlePrice]


class Stock(Wire):
    amount: int
    correctedStock: int
    managedByRetailer: bool


class OffersCountryCode(Wire):
    countryCode: str


class Store(Wire):
    productTitle: str | None = None
    visible: list[OffersCountryCode]


class Condition(Wire):
    name: str
    category: str
    comment: str | None = None


class Fulfilment(Wire):
    method: str
    deliveryCode: str | None = None


class NotPublishableReason(Wire):
    code: str
    description: str


class RetailerOffer(Wire):
    offerId: str
    ean: str
    reference: str | None = None
    onHoldByRetailer: bool
    economicOperatorId: str | None = None
    unknownProductTitle: str | None = None
    pricing: Pricing
    stock: Stock
    fulfilment: Fulfilment
    store: Store
    condition: Condition
    notPublishableReasons: list[NotPublishableReason]
