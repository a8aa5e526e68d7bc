"""Intake: how orders, cancellation requests and returns are found on a
channel. The intake workflow's input and visible state live here, not in the
workflow module, because the workflow sandbox re-runs a workflow's module for
every new instance and rebuilding pydantic models each time costs real CPU."""

from datetime import datetime, timedelta

from pydantic import BaseModel, Field


class OrderChange(BaseModel):
    """What an intake poll learned about one order, without personal data."""

    marketplace_order_id: str
    placed_at: datetime
    open: bool
    cancellation_requested_line_ids: list[str] = Field(default_factory=list)


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


class IntakeInput(BaseModel):
    channel: str
    poll_interval: timedelta = timedelta(seconds=30)
    cursor: datetime | None = None
    swept_at: datetime | None = None
    watch: timedelta = timedelta(minutes=1)
    watches_per_run: int = 100


class IntakeState(BaseModel):
    channel: str
    cursor: datetime | None = None
    swept_at: datetime | None = None
    polls: int = 0
    orders_started: int = 0
    last_error: str | None = None
    last: IntakePollResult | None = None
