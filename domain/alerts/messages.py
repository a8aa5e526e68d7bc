"""Payloads of the alert workflows and activities."""

from datetime import timedelta

from pydantic import BaseModel, Field

from domain.alerts.model import AlertEvent, OpenAlert


class NotifyRequest(BaseModel):
    sink: str
    event: AlertEvent
    # Set: the delivery is recorded in the store's outbox, and one already
    # delivered is not sent again (a retried activity, a rerun evaluation).
    message_id: str | None = None


class AlertRound(BaseModel):
    """What one evaluation found: the messages to send, to which sinks, and
    the workflows whose alerts changed."""

    events: list[AlertEvent] = Field(default_factory=list)
    sinks: list[str] = Field(default_factory=list)
    attention: dict[str, str] = Field(default_factory=dict)
    open: list[OpenAlert] = Field(default_factory=list)
    # Every message still undelivered to a sink: this evaluation's, and those
    # an earlier attempt or run recorded and did not deliver. Rounds from
    # before the outbox had none: their events went to every sink.
    deliveries: list[NotifyRequest] = Field(default_factory=list)


class AlertsChanged(BaseModel):
    """Signalled to an order or intake workflow: the open alerts about it
    ("" when none is left). It shows NeedsAttention while any is open."""

    alerts: str = ""


def details(open_alerts: list[OpenAlert]) -> str:
    """The alerts workflow's current details in the Web UI."""
    if not open_alerts:
        return "No open alerts"
    lines = [f"**{len(open_alerts)} open alert(s)** (ordertide alerts)"]
    lines += [f"- {a.severity.upper()} {a.kind} {a.subject}: {a.message}" for a in open_alerts]
    return "\n".join(lines)


class PublishRequest(BaseModel):
    attention: dict[str, str] = Field(default_factory=dict)
    open: list[OpenAlert] = Field(default_factory=list)


class AlertsInput(BaseModel):
    """The alerts workflow's state, carried over continue-as-new."""

    open: list[OpenAlert] = Field(default_factory=list)
    # Continue as new after this many updates: the history stays small.
    updates_per_run: int = 500


class EvaluationInput(BaseModel):
    # The schedule's interval: a message is retried for most of it, then
    # given up (the log still has it).
    every: timedelta = timedelta(minutes=5)
