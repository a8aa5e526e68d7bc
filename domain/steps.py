"""Payloads between workflows and their activities."""

from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from domain.channels import Marketplace
from domain.commands import LineQuantity, Transport
from domain.lifecycle import OrderRef
from domain.money import Money
from domain.reasons import CancellationReason, ReturnHandling


class ShipInput(BaseModel):
    order: OrderRef
    lines: list[LineQuantity]
    shipped_before: dict[str, int]
    transport: Transport
    reference: str | None = None


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


class ReturnOutcome(BaseModel):
    refund: Money | None = None
    restocked: bool = False


class TransporterQuery(BaseModel):
    marketplace: Marketplace
    country: str
    pickup_point: bool = False
    weight_grams: int | None = None


class IntakeWatch(BaseModel):
    channel: str
    cursor: datetime | None = None
    interval: timedelta = timedelta(seconds=30)
    duration: timedelta = timedelta(minutes=1)
    # Unhandled returns change slowly: look at them less often than at orders.
    returns_interval: timedelta = timedelta(seconds=30)
    # Now and then read every open order, not only the recently changed ones:
    # bol pages by offset, so orders shipped during a read shift the pages and
    # the read can skip an order; if that repeats until the order falls out of
    # the change interval, only a full sweep still finds it.
    sweep_interval: timedelta = timedelta(minutes=5)
    swept_at: datetime | None = None


class IntakePollResult(BaseModel):
    cursor: datetime
    swept_at: datetime | None = None
    polls: int = 1
    orders_seen: int = 0
    orders_started: int = 0
    cancellations_forwarded: int = 0
    returns_forwarded: int = 0

    def merged(self, later: "IntakePollResult") -> "IntakePollResult":
        return IntakePollResult(
            cursor=later.cursor,
            swept_at=later.swept_at or self.swept_at,
            polls=self.polls + later.polls,
            orders_seen=self.orders_seen + later.orders_seen,
            orders_started=self.orders_started + later.orders_started,
            cancellations_forwarded=self.cancellations_forwarded + later.cancellations_forwarded,
            returns_forwarded=self.returns_forwarded + later.returns_forwarded,
        )


class OffersChanged(BaseModel):
    """Stock or price of these SKUs changed: their offers may need an update."""

    skus: list[str]


class SyncOffersInput(BaseModel):
    channel: str
    skus: list[str]
    # Wait this long before reading stock: every change within the window is
    # in the one update that follows.
    window: timedelta = timedelta(0)


class SyncOffersResult(BaseModel):
    considered: int = 0
    sent: int = 0
    accepted: int = 0
    rejected: int = 0
    withheld: int = 0


class StockCommand(BaseModel):
    sku: str
    quantity: int  # the new on-hand for set_stock, the delta for adjust_stock
    reason: str | None = None


class StockLevelView(BaseModel):
    sku: str
    on_hand: int
    reserved: int
    available: int


class ReconcileResult(BaseModel):
    live: int = 0
    drifted: list[str] = Field(default_factory=list)  # SKUs whose live offer differs from what we believe
    vanished: list[str] = Field(default_factory=list)  # SKUs whose offer is gone from the channel
