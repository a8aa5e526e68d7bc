"""What the alert conditions read: plain data gathered from the store and
Temporal by the evaluation activity, so the conditions are pure functions."""

from datetime import datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel, Field

from domain.channels import Marketplace


class ChannelFacts(BaseModel):
    channel: str
    marketplace: Marketplace
    intake_workflow_id: str
    poll_interval: timedelta
    # When each order of the last weeks arrived (the hour-of-week history).
    order_times: list[datetime] = Field(default_factory=list)
    # The intake's state; None when it did not answer.
    intake_cursor: datetime | None = None
    intake_last_error: str | None = None
    intake_started_at: datetime | None = None
    # Over the marketplace's cancellation window, counted per order.
    orders_in_window: int = 0
    seller_fault_orders: int = 0
    offers_rejected: int = 0


class OpenReturn(BaseModel):
    rma_id: str
    # The SLA clock's start.
    announced_at: datetime


class OrderFacts(BaseModel):
    workflow_id: str
    channel: str
    marketplace: Marketplace
    marketplace_order_id: str
    status: str
    started_at: datetime | None = None
    ship_by: datetime | None = None
    # The order's own flags (step -> reason); None when it did not answer.
    attention: dict[str, str] | None = None
    # Since when its shipment waits for the marketplace's final status.
    shipping_since: datetime | None = None
    open_returns: list[OpenReturn] = Field(default_factory=list)


class UnusedLabel(BaseModel):
    """A shipping label bought from the marketplace that no shipment went out with."""

    channel: str
    marketplace_order_id: str
    label_id: str
    transporter_code: str
    track_and_trace: str
    bought_at: datetime
    # What happened to it when the order was cancelled after buying, if it was.
    voided: str | None = None


class FailedImport(BaseModel):
    import_id: str
    kind: str
    name: str
    message: str
    at: datetime


class Facts(BaseModel):
    now: datetime
    channels: list[ChannelFacts] = Field(default_factory=list)
    orders: list[OrderFacts] = Field(default_factory=list)
    failed_imports: list[FailedImport] = Field(default_factory=list)
    unused_labels: list[UnusedLabel] = Field(default_factory=list)


def seller_fault_rate(seller_fault_orders: int, orders: int) -> Decimal:
    """As the marketplace counts it: orders with a seller-fault
    cancellation over orders received in the window, per order not per line."""
    return (Decimal(seller_fault_orders) / orders).quantize(Decimal("0.0001")) if orders else Decimal(0)
