"""Intake: how orders, cancellation requests and returns are found on a
channel. The intake workflow's input and visible state live here, not in the
workflow module, because the workflow sandbox re-runs a workflow's module for
every new instance and rebuilding pydantic models each time costs real CPU."""

from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

# The intake keeps the latest few unreadable items, not all: enough for ops
# to find them at the marketplace, small enough for every watch's result.
MAX_UNREADABLE = 20


class UnreadableItem(BaseModel):
    """An order or return the channel listed but intake could not read (or
    hand over). It is skipped, so the rest flows, and reported on the intake
    workflow until a later read goes through."""

    # "file" and "mail": a portal's order file or mail that could not be read;
    # its id is the file's name or the mail's subject.
    kind: Literal["order", "return", "file", "mail"]
    item_id: str
    reason: str

    def describe(self) -> str:
        return f"{self.kind} {self.item_id}: {self.reason}"


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
    # Why the returns could not be read, if they could not (the orders were).
    returns_error: str | None = None
    # What this watch's polls could not read, each item once.
    unreadable: list[UnreadableItem] = Field(default_factory=list)

    def merged(self, later: "IntakePollResult") -> "IntakePollResult":
        return IntakePollResult(
            cursor=later.cursor,
            swept_at=later.swept_at or self.swept_at,
            polls=self.polls + later.polls,
            orders_seen=self.orders_seen + later.orders_seen,
            orders_started=self.orders_started + later.orders_started,
            cancellations_forwarded=self.cancellations_forwarded + later.cancellations_forwarded,
            returns_forwarded=self.returns_forwarded + later.returns_forwarded,
            returns_error=later.returns_error,
            unreadable=merge_unreadable(self.unreadable, later.unreadable),
        )


class IntakeInput(BaseModel):
    channel: str
    poll_interval: timedelta = timedelta(seconds=30)
    cursor: datetime | None = None
    swept_at: datetime | None = None
    watch: timedelta = timedelta(minutes=1)
    watches_per_run: int = 100
    # Carried over continue-as-new, so NeedsAttention is cleared when they are gone.
    unreadable: list[UnreadableItem] = Field(default_factory=list)
    # Open alerts about the channel (`ordertide alerts`), also NeedsAttention.
    alerts: str = ""


class IntakeState(BaseModel):
    channel: str
    cursor: datetime | None = None
    swept_at: datetime | None = None
    polls: int = 0
    orders_started: int = 0
    last_error: str | None = None
    last: IntakePollResult | None = None
    unreadable: list[UnreadableItem] = Field(default_factory=list)


def merge_unreadable(earlier: list[UnreadableItem], later: list[UnreadableItem]) -> list[UnreadableItem]:
    """Each item once, with its latest reason; the latest MAX_UNREADABLE."""
    by_key = {(item.kind, item.item_id): item for item in earlier}
    for item in later:
        by_key.pop((item.kind, item.item_id), None)
        by_key[(item.kind, item.item_id)] = item
    return list(by_key.values())[-MAX_UNREADABLE:]


def still_unreadable(known: list[UnreadableItem], watched: IntakePollResult, swept: bool) -> list[UnreadableItem]:
    """What the intake reports after a watch. Every watch reads the returns
    (unless that read failed), so a return it did not report again was read. Orders are only all read by
    a sweep (the other polls see just the recently changed ones), so an
    unreadable order stays reported until a sweep no longer finds it so."""
    kept = [
        item
        for item in known
        if (item.kind == "order" and not swept) or (item.kind == "return" and watched.returns_error is not None)
    ]
    return merge_unreadable(kept, watched.unreadable)
