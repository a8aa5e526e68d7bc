"""From the open alerts and the conditions found now to the messages to send
and the alerts left open. Pure, so every transition has a plain unit test."""

from datetime import datetime

from pydantic import BaseModel, Field

from domain.alerts.model import Alert, AlertEvent, Change, OpenAlert


class Evaluation(BaseModel):
    open: list[OpenAlert] = Field(default_factory=list)
    events: list[AlertEvent] = Field(default_factory=list)
    # Workflows whose alerts changed: id -> what they are now, or "" when none is left.
    attention: dict[str, str] = Field(default_factory=dict)


def evaluate(previous: list[OpenAlert], found: list[Alert], now: datetime) -> Evaluation:
    """Each alert fires once when it starts, again only when its severity or
    value rises above what was last sent, and once more when it clears."""
    before = {alert.key: alert for alert in previous}
    result = Evaluation()
    for alert in {alert.key: alert for alert in found}.values():
        old = before.pop(alert.key, None)
        if old is None:
            result.events.append(AlertEvent(change=Change.RAISED, alert=alert, at=now))
            sent = (alert.severity, alert.value)
            raised_at = now
        else:
            worse = alert.severity.rank > old.notified_severity.rank or (
                alert.severity.rank == old.notified_severity.rank and alert.value > old.notified_value
            )
            if worse:
                result.events.append(AlertEvent(change=Change.WORSE, alert=alert, at=now))
            sent = (alert.severity, alert.value) if worse else (old.notified_severity, old.notified_value)
            raised_at = old.raised_at
        result.open.append(
            OpenAlert(
                **alert.model_dump(),
                raised_at=raised_at,
                updated_at=now,
                notified_severity=sent[0],
                notified_value=sent[1],
            )
        )
    for gone in before.values():
        result.events.append(AlertEvent(change=Change.RESOLVED, alert=_plain(gone), at=now))
    result.attention = attention_changes(previous, result.open)
    return result


def _plain(alert: OpenAlert) -> Alert:
    return Alert.model_validate(alert.model_dump(include=set(Alert.model_fields)))


def attention_text(alerts: list[OpenAlert], workflow_id: str) -> str:
    """Kinds and severities only, not messages: a message that counts minutes
    would otherwise change (and signal the workflow) at every evaluation."""
    return ", ".join(sorted(f"{a.kind} ({a.severity})" for a in alerts if a.workflow_id == workflow_id))


def attention_changes(previous: list[OpenAlert], now_open: list[OpenAlert]) -> dict[str, str]:
    """Only workflows whose alert text changed are told (each signal is a
    billable action): a new text, or "" when their last alert cleared."""
    ids = {a.workflow_id for a in [*previous, *now_open] if a.workflow_id}
    changes = {}
    for workflow_id in sorted(ids):
        before, after = attention_text(previous, workflow_id), attention_text(now_open, workflow_id)
        if before != after:
            changes[workflow_id] = after
    return changes
