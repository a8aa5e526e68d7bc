"""The order as the workflow holds it and ops see it (the query result
and the workflow result). No personal data: the buyer's address stays in the
store, the workflow only needs the destination country."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from domain.channels import Marketplace
from domain.money import Money
from domain.order.status import OrderStatus, Step
from domain.reasons import ReturnHandling


class OrderRef(BaseModel):
    channel: str
    marketplace: Marketplace
    marketplace_order_id: str


class LineQuantity(BaseModel):
    line_id: str
    quantity: int


class Transport(BaseModel):
    transporter_code: str
    track_and_trace: str | None = None
    # A label bought from the marketplace (domain/labels.py): it carries the
    # transporter and tracking, and the shipment names it.
    shipping_label_id: str | None = None


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
    # When the buyer registered it on the marketplace: its handling SLA runs from here.
    registered_at: datetime | None = None
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
    # Open alerts about the order (`ordertide alerts`): NeedsAttention while
    # any is. Last, and with a default: views recorded before it still read.
    alerts: str = ""
