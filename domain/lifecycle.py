"""Types of the order lifecycle: what the order workflow takes, answers and
accepts from ops and other services. No personal data: the buyer's address
stays in the store, the workflow only needs the destination country."""

from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field

from domain.channels import Marketplace
from domain.commands import LineQuantity, Transport
from domain.money import Money
from domain.reasons import CancellationReason, ReturnHandling


class OrderStatus(StrEnum):
    RECEIVED = "RECEIVED"
    AWAITING_PICK = "AWAITING_PICK"
    SHIPPING = "SHIPPING"
    SHIPPED = "SHIPPED"
    RETURN_OPEN = "RETURN_OPEN"
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"


class Step(StrEnum):
    """Why an order needs attention. Resuming retries a failed step; a late
    return only informs (handling the return clears it)."""

    ACCEPT = "accept"
    CANCEL = "cancel"
    SHIP = "ship"
    RETURN = "return"
    LATE_RETURN = "late return"


class OrderWorkflowInput(BaseModel):
    channel: str
    marketplace: Marketplace
    marketplace_order_id: str
    cancellation_requested_line_ids: list[str] = Field(default_factory=list)
    # Benchmarks shorten the return window; production uses the marketplace SLA.
    return_window: timedelta | None = None


class OrderRef(BaseModel):
    channel: str
    marketplace: Marketplace
    marketplace_order_id: str


class LineView(BaseModel):
    line_id: str
    ean: str
    sku: str | None = None
    title: str = ""
    quantity: int
    unit_price: Money
    reserved: bool = False
    quantity_picked: int = 0
    quantity_shipped: int = 0
    quantity_cancelled: int = 0
    quantity_returned: int = 0
    cancellation_requested: bool = False

    @property
    def open_quantity(self) -> int:
        return max(0, self.quantity - self.quantity_shipped - self.quantity_cancelled)

    @property
    def unshipped_picked(self) -> int:
        return min(self.open_quantity, max(0, self.quantity_picked - self.quantity_shipped))


class AcceptedOrder(BaseModel):
    """Result of accepting: the order persisted, stock reserved per line."""

    placed_at: datetime
    ship_by: date | None = None
    destination_country: str
    pickup_point: bool = False
    lines: list[LineView]
    unknown_eans: list[str] = Field(default_factory=list)


class ShipmentRecord(BaseModel):
    lines: list[LineQuantity]
    transport: Transport
    process_id: str | None = None
    confirmed_at: datetime


class ReturnRecord(BaseModel):
    rma_id: str
    return_id: str | None = None
    line_id: str | None = None
    ean: str
    quantity: int
    reason: str = ""
    announced_at: datetime
    handling: ReturnHandling | None = None
    resellable: bool | None = None
    refund: Money | None = None
    handled_at: datetime | None = None


class OrderView(BaseModel):
    """The whole order as ops see it (query result and workflow result)."""

    workflow_id: str
    channel: str
    marketplace: Marketplace
    marketplace_order_id: str
    status: OrderStatus = OrderStatus.RECEIVED
    needs_attention: bool = False
    attention: dict[Step, str] = Field(default_factory=dict)
    waiting_for: str = ""
    placed_at: datetime | None = None
    ship_by: date | None = None
    destination_country: str | None = None
    lines: list[LineView] = Field(default_factory=list)
    shipments: list[ShipmentRecord] = Field(default_factory=list)
    returns: list[ReturnRecord] = Field(default_factory=list)
    return_window_ends: datetime | None = None
    history: list[str] = Field(default_factory=list)


# Requests from ops and other services.


class PickRequest(BaseModel):
    """The warehouse picked lines (all open lines when `lines` is empty)."""

    lines: list[LineQuantity] = Field(default_factory=list)
    track_and_trace: str | None = None
    weight_grams: int | None = None


class ShipRequest(BaseModel):
    """Ship now, optionally overriding the transporter chosen by the rules."""

    transporter_code: str | None = None
    track_and_trace: str | None = None


class CancelRequest(BaseModel):
    line_ids: list[str] = Field(default_factory=list)
    reason: CancellationReason = CancellationReason.OTHER


class BuyerCancellationRequested(BaseModel):
    line_ids: list[str]


class ReturnReceivedRequest(BaseModel):
    rma_id: str | None = None
    line_id: str | None = None
    quantity: int | None = None
    meets_conditions: bool = True
    resellable: bool = True


class ResumeRequest(BaseModel):
    note: str | None = None
