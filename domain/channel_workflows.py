"""Inputs and visible state of the per-channel workflows (intake, offer
sync). They live here, not in the workflow modules, because the workflow
sandbox re-runs a workflow's module for every new instance and rebuilding
pydantic models each time costs real CPU."""

from datetime import datetime, timedelta

from pydantic import BaseModel, Field

from domain.steps import IntakePollResult, ReconcileResult, SyncOffersResult


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


class OfferSyncInput(BaseModel):
    channel: str
    pending: list[str] = Field(default_factory=list)
    window: timedelta = timedelta(milliseconds=250)
    rounds_per_run: int = 500
    # Nightly: compare the channel's offer export with what we believe and repair drift.
    reconcile_hour_utc: int = 3
    next_reconcile_at: datetime | None = None


class OfferSyncState(BaseModel):
    channel: str
    pending: int = 0
    rounds: int = 0
    skus_synced: int = 0
    last: SyncOffersResult | None = None
    last_reconcile: ReconcileResult | None = None
    next_reconcile_at: datetime | None = None
