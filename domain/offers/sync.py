"""Offer sync: the per-channel workflow's input and visible state, and the
payloads of its activities."""

from datetime import datetime, timedelta

from pydantic import BaseModel, Field

ROUNDS_PER_RUN = 100
# What an offer-sync run does, carried in its input (a run started before
# versions has 0): a new behaviour needs no patch, so no marker task per run.
#   0  the wait for a sale has a timeout: a timer every round that waits
#   1  one timer per run, until the nightly reconciliation
#   2  a reconciliation starts beside the rounds (one may listen for half a
#      minute), with no marker
OFFER_SYNC_CODE_VERSION = 2


class OffersChanged(BaseModel):
    """Stock or price of these SKUs changed: their offers may need an update."""

    skus: list[str]
    # When the first of these changes happened (the sender's clock): the
    # coalescing window runs from it, not from the round's start (issue 12).
    changed_at: datetime | None = None


class SyncOffersInput(BaseModel):
    channel: str
    skus: list[str]
    # Wait this long before reading stock: every change within the window is
    # in the one update that follows.
    window: timedelta = timedelta(0)
    # When the window started: at the round's first change, or, for an offer
    # updated in the last window, when the channel had that update (at most
    # one update per offer per window). The activity waits only what is left
    # of it (the signal, the workflow task and the activity's dispatch took
    # some), never longer than `window`. None: all of it.
    window_from: datetime | None = None
    # Offers the channel had an update of within the last window, and when:
    # a change of one of them that the round takes as it listens waits for
    # its window too.
    recently_sent: dict[str, datetime] = Field(default_factory=dict)
    # After this round, take further changes as they come until the
    # channel's `offer_sync_listen` is up, but not past this (the nightly
    # reconciliation). None: no listening.
    listen_until: datetime | None = None


class FollowOffersResult(BaseModel):
    accepted: int = 0
    rejected: int = 0
    # A newer update of the same offer was sent meanwhile: it is followed next.
    superseded: int = 0
    # Whether the channel applied these is unknown: to be sent again.
    resend: list[str] = Field(default_factory=list)
    # More updates are in flight than one follow takes.
    more: bool = False


class SyncOffersResult(BaseModel):
    considered: int = 0
    sent: int = 0
    accepted: int = 0
    rejected: int = 0
    withheld: int = 0
    # Per offer sent: when the channel had the update (the activity's clock).
    updated_at: dict[str, datetime] = Field(default_factory=dict)
    # Updates the channel took and is still processing (the offer book holds
    # them, ChannelOffer.in_flight): followed beside the next rounds, so a
    # round never waits for the channel's processing.
    in_flight: int = 0
    # All the channel's offers with an update in flight, this round's included.
    in_flight_total: int = 0
    # A listening round: how many changes it took as they came, and the
    # follows of updates in flight it did itself meanwhile.
    rounds: int = 1
    follows: int = 0
    last_follow: FollowOffersResult | None = None
    # More changes are waiting than the round took before it stopped.
    more_waiting: bool = False


class ReconcileResult(BaseModel):
    live: int = 0
    # The first SKUs whose live offer differs from what we believe / is gone
    # from the channel; the counts say how many there were in all.
    drifted: list[str] = Field(default_factory=list)
    vanished: list[str] = Field(default_factory=list)
    drifted_count: int = 0
    # Offers the channel has for our SKUs that we had no id for: now followed (and among the drifted).
    adopted: list[str] = Field(default_factory=list)
    vanished_count: int = 0
    # Export rows that could not be read: skipped and shown, never fatal.
    bad_rows: list[str] = Field(default_factory=list)  # the first few, for the seller to look into
    bad_row_count: int = 0
    failure: str | None = None  # why this reconciliation gave up (it is tried again the next night)


class ReconcileInput(BaseModel):
    channel: str
    # However slow the export, reconciliation gives up after this; offer sync never waits for it.
    deadline: timedelta = timedelta(hours=1)


class OfferSyncInput(BaseModel):
    channel: str
    pending: list[str] = Field(default_factory=list)
    window: timedelta = timedelta(milliseconds=250)
    # A run's history stays near 1,500 events, so a worker that lost the run
    # from its cache replays it in well under a second.
    rounds_per_run: int = ROUNDS_PER_RUN
    # Nightly: compare the channel's offer export with what we believe and repair drift.
    reconcile_hour_utc: int = 3
    reconcile_deadline: timedelta = timedelta(hours=1)
    next_reconcile_at: datetime | None = None
    # Offers updated within the last window, and when the channel had the
    # update, carried over continue-as-new (see SyncOffersInput.window_from).
    recently_sent: dict[str, datetime] = Field(default_factory=dict)
    # Updates are in flight that no follow has settled yet.
    follow: bool = False
    code_version: int = 0


class OfferSyncState(BaseModel):
    channel: str
    pending: int = 0
    # Follows of updates in flight, and what they settled.
    follows: int = 0
    last_follow: FollowOffersResult | None = None
    rounds: int = 0
    skus_synced: int = 0
    last: SyncOffersResult | None = None
    last_reconcile: ReconcileResult | None = None
    next_reconcile_at: datetime | None = None


def window_left(request: SyncOffersInput, now: datetime) -> timedelta:
    """What is left of the round's coalescing window (see `window_from`),
    between 0 and `window` whatever the clocks say."""
    if request.window_from is None:
        return request.window
    left = request.window_from + request.window - now
    return max(timedelta(0), min(request.window, left))
