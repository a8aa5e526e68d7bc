"""Alert thresholds and sinks, as configured in ordertide.toml under
[alerts] (README, "Alerts"). Every threshold has a default that suits a
small seller; each is a plain field so ops can tune it."""

from datetime import timedelta

from pydantic import BaseModel, Field, SecretStr


class Thresholds(BaseModel):
    # A channel is "usually active" at an hour of the week when it brought at
    # least this many orders in that hour, on average over the past weeks.
    active_orders_per_hour: float = Field(default=1.0, gt=0)
    history_weeks: int = Field(default=4, ge=1)
    # Silent for longer than this many usual gaps between orders (and at
    # least `silent_minimum`) raises the alert.
    silent_gaps: float = Field(default=3.0, gt=0)
    silent_minimum: timedelta = timedelta(minutes=30)
    # The intake's cursor stands still (or its polls fail) for this many poll intervals.
    intake_stalled_polls: int = Field(default=5, ge=1)
    # Share of the marketplace's threshold at which seller-fault cancellations warn.
    cancellation_warn_share: float = Field(default=0.75, gt=0, le=1)
    # An unshipped order warns this long before its ship-by cut-off.
    ship_by_warning: timedelta = timedelta(hours=4)
    # A shipment confirmation still not final after this long.
    shipment_confirmation: timedelta = timedelta(minutes=30)
    # A label bought from the marketplace and no shipment gone out with it
    # this long after: paid for, and a parcel that may be handed over
    # wrongly. Watched until `label_forgotten` after its purchase.
    label_unused: timedelta = timedelta(hours=1)
    label_forgotten: timedelta = timedelta(days=14)
    # Share of the marketplace's return handling SLA at which an open return warns.
    return_warn_share: float = Field(default=0.75, gt=0, le=1)
    # An order still being accepted after this long is stuck.
    accepting: timedelta = timedelta(minutes=5)


class WebhookSink(BaseModel):
    """A generic webhook: POSTs Slack's incoming-webhook JSON ({"text": ...}),
    which Slack, Mattermost, Teams' Slack-compatible connectors and most chat
    tools accept."""

    url: str


class EmailSink(BaseModel):
    host: str
    port: int = 25
    sender: str
    to: list[str]
    username: str | None = None
    password: SecretStr | None = None
    starttls: bool = False
    timeout: timedelta = timedelta(seconds=10)


class AlertSettings(BaseModel):
    # How often the evaluation runs (a Temporal Schedule, `alerts-evaluation`).
    every: timedelta = Field(default=timedelta(minutes=5), ge=timedelta(seconds=10))
    enabled: bool = True
    log: bool = True
    webhooks: list[WebhookSink] = Field(default_factory=list)
    email: EmailSink | None = None
    thresholds: Thresholds = Field(default_factory=Thresholds)
