"""bol.com Retailer API v10 wire shapes, read tolerantly: unknown fields are
kept, unknown enum values are logged and kept as strings, and fields bol has
been seen to drop ("required" in the spec or not) have defaults."""

import logging
from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

log = logging.getLogger(__name__)

KNOWN_PROCESS_STATUSES = {"PENDING", "SUCCESS", "FAILURE", "TIMEOUT"}


class Wire(BaseModel):
    # An order carries the buyer's name and address: a validation error must
    # name the field, never quote the value (it reaches logs, spans, history).
    model_config = ConfigDict(extra="allow", populate_by_name=True, hide_input_in_errors=True)


def _known(value: str | None, known: set[str], field: str) -> str | None:
    if value is not None and value not in known:
        log.warning("bol sent an unknown %s value %r; keeping it as is", field, value)
    return value


class ReducedOrderItem(Wire):
    orderItemId: str
    ean: str = ""
    fulfilmentMethod: str | None = None
    fulfilmentStatus: str | None = None
    quantity: int = 0
    quantityShipped: int = 0
    quantityCancelled: int = 0
    cancellationRequest: bool = False
    latestChangedDateTime: datetime | None = None


class ReducedOrder(Wire):
    orderId: str
    orderPlacedDateTime: datetime
    orderItems: list[ReducedOrderItem] = Field(default_factory=list)


class ReducedOrders(Wire):
    # An empty page is `{}`, without the "required" orders key.
    orders: list[ReducedOrder] = Field(default_factory=list)


class ShipmentDetails(Wire):
    pickupPointName: str | None = None
    salutation: str | None = None
    firstName: str = ""
    surname: str = ""
    streetName: str = ""
    houseNumber: str = ""
    houseNumberExtension: str | None = None
    extraAddressInformation: str | None = None
    zipCode: str = ""
    city: str = ""
    countryCode: str = ""
    email: str | None = None
    company: str | None = None
    deliveryPhoneNumber: str | None = None


class OrderFulfilment(Wire):
    method: str | None = None
    distributionParty: str | None = None
    latestDeliveryDate: date | None = None
    exactDeliveryDate: date | None = None
    expiryDate: date | None = None
    timeFrameType: str | None = None


class OrderProduct(Wire):
    ean: str = ""
    title: str = ""


class OrderOffer(Wire):
    offerId: str | None = None
    reference: str | None = None


class OrderItem(Wire):
    orderItemId: str
    cancellationRequest: bool = False
    fulfilment: OrderFulfilment = Field(default_factory=OrderFulfilment)
    offer: OrderOffer = Field(default_factory=OrderOffer)
    product: OrderProduct = Field(default_factory=OrderProduct)
    quantity: int = 0
    quantityShipped: int = 0
    quantityCancelled: int = 0
    unitPrice: Decimal = Decimal(0)
    totalPrice: Decimal | None = None
    latestChangedDateTime: datetime | None = None


class Order(Wire):
    orderId: str
    pickupPoint: bool = False
    orderPlacedDateTime: datetime
    shipmentDetails: ShipmentDetails = Field(default_factory=ShipmentDetails)
    orderItems: list[OrderItem] = Field(default_factory=list)


class ProcessStatus(Wire):
    processStatusId: str | None = None
    entityId: str | None = None
    eventType: str | None = None
    description: str | None = None
    status: str
    errorMessage: str | None = None
    createTimestamp: datetime | None = None

    @field_validator("status")
    @classmethod
    def _status_known(cls, value: str) -> str:
        return _known(value, KNOWN_PROCESS_STATUSES, "process status") or value


class ShipmentItemRef(Wire):
    orderItemId: str | None = None


class TransportEvent(Wire):
    eventCode: str
    eventDateTime: datetime | None = None


class TransportRef(Wire):
    transportId: str | None = None
    transporterCode: str | None = None
    trackAndTrace: str | None = None
    transportEvents: list[TransportEvent] = Field(default_factory=list)


class ReducedShipment(Wire):
    shipmentId: str | None = None
    shipmentItems: list[ShipmentItemRef] = Field(default_factory=list)
    transport: TransportRef | None = None


class ShipmentDetail(Wire):
    """GET /retailer/shipments/{shipment-id}, as far as a transport change reads it."""

    shipmentId: str
    transport: TransportRef = Field(default_factory=TransportRef)


class ShipmentsPage(Wire):
    # An empty page is `{}`, as for orders.
    shipments: list[ReducedShipment] = Field(default_factory=list)


class ProcessStatusResponse(Wire):
    processStatuses: list[ProcessStatus] = Field(default_factory=list)


class ReturnReason(Wire):
    mainReason: str | None = None
    detailedReason: str | None = None
    customerComments: str | None = None


class ReturnProcessingResult(Wire):
    quantity: int | None = None
    processingResult: str | None = None
    handlingResult: str | None = None


class ReturnItem(Wire):
    rmaId: str
    orderId: str
    ean: str = ""
    expectedQuantity: int = 1
    returnReason: ReturnReason = Field(default_factory=ReturnReason)
    handled: bool = False
    processingResults: list[ReturnProcessingResult] = Field(default_factory=list)


class Return(Wire):
    returnId: str
    registrationDateTime: datetime | None = None
    fulfilmentMethod: str | None = None
    returnItems: list[ReturnItem] = Field(default_factory=list)


class ReturnsResponse(Wire):
    returns: list[Return] = Field(default_factory=list)


class Violation(Wire):
    name: str = ""
    reason: str = ""


class Problem(Wire):
    type: str | None = None
    title: str | None = None
    status: int | None = None
    detail: str | None = None
    violations: list[Violation] = Field(default_factory=list)


class SignatureKey(Wire):
    id: str
    type: str
    publicKey: str


class SignatureKeys(Wire):
    signatureKeys: list[SignatureKey] = Field(default_factory=list)
