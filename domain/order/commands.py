"""Payloads between the order workflow and its activities: accepting,
shipping, cancelling, handling returns, choosing a transporter.

bol accepts writes asynchronously: 202 only means "received", the process
status is the outcome. Synchronous marketplaces report SUCCESS at once."""

from datetime import date, datetime

from pydantic import BaseModel, Field

from domain.channels import Marketplace
from domain.money import Money
from domain.order.view import LineQuantity, LineView, OrderRef, Transport
from domain.reasons import CancellationReason, ReturnHandling


class AcceptedOrder(BaseModel):
    """Result of accepting: the order persisted, stock reserved per line."""

    placed_at: datetime
    ship_by: date | None = None
    destination_country: str
    pickup_point: bool = False
    lines: list[LineView]
    unknown_eans: list[str] = Field(default_factory=list)
    # The idempotency key of an order version the warehouse did not
    # acknowledge during accept: the workflow delivers it next.
    warehouse_delivery: str | None = None


class ShipmentResult(BaseModel):
    """What a ship command achieved. Lines the buyer asked to cancel right
    before shipping are left out and reported, never shipped."""

    shipped: list[LineQuantity] = Field(default_factory=list)
    cancellation_requested_line_ids: list[str] = Field(default_factory=list)
    process_id: str | None = None
    # The transporter the rules chose, when the command chose it (ShipInput.choose_transporter).
    transporter_code: str | None = None
    # The tracking of a label the command bought from the marketplace.
    track_and_trace: str | None = None


class CommandResult(BaseModel):
    process_id: str | None = None
    # The marketplace has no API for this command: what ops must do by hand
    # (and the note to paste), shown on the order until they confirm it.
    manual_step: str | None = None
    # For the order's timeline: what else the command did (a shipping label
    # bought for the cancelled lines voided, or why it could not be).
    note: str | None = None


class TransporterQuery(BaseModel):
    marketplace: Marketplace
    country: str
    pickup_point: bool = False
    weight_grams: int | None = None


class ShipInput(BaseModel):
    order: OrderRef
    lines: list[LineQuantity]
    shipped_before: dict[str, int]
    transport: Transport
    reference: str | None = None
    # Set: the activity chooses the transporter by the rules first (the
    # transport's code is then empty), so the choice costs no workflow task
    # of its own (issue 12).
    choose_transporter: TransporterQuery | None = None


class ChangeTransportInput(BaseModel):
    """Give an earlier shipment (the parcel of `line_ids`) new tracking."""

    order: OrderRef
    line_ids: list[str]
    transport: Transport


class CancelLineInput(BaseModel):
    order: OrderRef
    line_id: str
    reason: CancellationReason
    quantity: int


class HandleReturnInput(BaseModel):
    order: OrderRef
    rma_id: str
    return_id: str | None = None
    line_id: str
    sku: str | None = None
    quantity: int
    handling: ReturnHandling
    resellable: bool
    unit_price: Money
    message: str | None = None


class ReturnOutcome(BaseModel):
    refund: Money | None = None
    restocked: bool = False
