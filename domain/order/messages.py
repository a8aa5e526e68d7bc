"""What starts an order workflow and what ops, the warehouse and the
marketplace (through intake) send to it."""

from datetime import timedelta

from pydantic import BaseModel, Field

from domain.channels import Marketplace
from domain.order.commands import AcceptedOrder
from domain.order.view import LineQuantity, OrderView
from domain.reasons import CancellationReason, ReturnHandling

# Version 1 (issue 12): every patch of workflows/order.py up to
# `delivery-events` applies, none is recorded. Version 2: an order intake
# could not accept before its start accepts in an activity, not a local one.
# A new patch keeps using workflow.patched (or raises this with the same
# switch in the workflow); workers must know a version before any starter
# sends it.
ORDER_CODE_VERSION = 2


class OrderWorkflowInput(BaseModel):
    channel: str
    marketplace: Marketplace
    marketplace_order_id: str
    cancellation_requested_line_ids: list[str] = Field(default_factory=list)
    # Benchmarks shorten the return window; production uses the marketplace SLA.
    return_window: timedelta | None = None
    # The channel follows the carrier's delivery events (bol's
    # follow_delivery_events): the return window may run on from a late delivery.
    follow_delivery_events: bool = False
    # A return arrived after the order's workflow closed: this run starts from
    # the closed run's result, skips accepting and shipping, and handles it.
    reopened: OrderView | None = None
    # The code this order runs, told at start instead of by patch markers
    # (each marker task is a billable action): 0, orders started before it,
    # whose patches decide; ORDER_CODE_VERSION, every patch up to it applies.
    code_version: int = 0
    # Intake accepted the order before starting it (activities/order_start.py):
    # the workflow goes on from this instead of accepting.
    accepted: AcceptedOrder | None = None


class PickRequest(BaseModel):
    """The warehouse picked lines (all open lines when `lines` is empty)."""

    lines: list[LineQuantity] = Field(default_factory=list)
    track_and_trace: str | None = None
    weight_grams: int | None = None


class ShipRequest(BaseModel):
    """Ship now, optionally overriding the transporter chosen by the rules."""

    transporter_code: str | None = None
    track_and_trace: str | None = None


class TrackingRequest(BaseModel):
    """Tracking added or corrected after shipping (the newest parcel, or the
    one carrying `line_id`), where the marketplace takes it."""

    track_and_trace: str = Field(min_length=1, max_length=128)
    # Another transporter than the one shipped with; the same when None.
    transporter_code: str | None = None
    line_id: str | None = None


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
    # Another handling than `meets_conditions` says (repair, clarify), where
    # the marketplace offers it (domain.sla RETURN_HANDLINGS).
    handling: ReturnHandling | None = None
    # What the buyer reads with a rejection or a clarification question.
    message: str | None = Field(default=None, min_length=1, max_length=2000)


class ResumeRequest(BaseModel):
    note: str | None = None


class ConfirmRequest(BaseModel):
    """Ops did a manual step (e.g. cancelled the order in the portal by hand)."""

    step: str
    note: str | None = None
