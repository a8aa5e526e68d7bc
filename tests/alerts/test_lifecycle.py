"""An alert fires once when its condition starts, again only when it gets
worse, and once more when it clears; workflows hear only of changes."""

from datetime import UTC, datetime, timedelta

from domain.alerts.lifecycle import evaluate
from domain.alerts.model import Alert, AlertKind, Change, Severity

T0 = datetime(2026, 12, 2, 8, tzinfo=UTC)


def ship_by(severity: Severity, message: str = "due soon") -> Alert:
    return Alert(
        kind=AlertKind.SHIP_BY, subject="order:bol:A1", severity=severity, message=message, workflow_id="order:bol:A1"
    )


def rejected(count: int) -> Alert:
    return Alert(kind=AlertKind.OFFERS_REJECTED, subject="bol", severity=Severity.WARNING, message="", value=count)


def test_raised_once_again_only_when_worse_and_resolved_when_cleared():
    first = evaluate([], [ship_by(Severity.WARNING)], T0)
    assert [e.change for e in first.events] == [Change.RAISED]
    assert first.attention == {"order:bol:A1": "ship-by (warning)"}

    same = evaluate(first.open, [ship_by(Severity.WARNING, "due in 2 h")], T0 + timedelta(minutes=5))
    assert same.events == [] and same.attention == {}
    assert same.open[0].raised_at == T0 and same.open[0].message == "due in 2 h"

    worse = evaluate(same.open, [ship_by(Severity.ALERT)], T0 + timedelta(minutes=10))
    assert [e.change for e in worse.events] == [Change.WORSE]
    assert worse.attention == {"order:bol:A1": "ship-by (alert)"}

    # Back to a warning is not worse: nothing is sent.
    calmer = evaluate(worse.open, [ship_by(Severity.WARNING)], T0 + timedelta(minutes=15))
    assert calmer.events == []

    gone = evaluate(calmer.open, [], T0 + timedelta(minutes=20))
    assert [e.change for e in gone.events] == [Change.RESOLVED]
    assert gone.events[0].alert.key == "ship-by:order:bol:A1"
    assert gone.open == [] and gone.attention == {"order:bol:A1": ""}


def test_a_growing_value_re_notifies_and_a_shrinking_one_does_not():
    first = evaluate([], [rejected(2)], T0)
    more = evaluate(first.open, [rejected(5)], T0)
    assert [e.change for e in more.events] == [Change.WORSE]
    fewer = evaluate(more.open, [rejected(3)], T0)
    assert fewer.events == []
    again = evaluate(fewer.open, [rejected(4)], T0)
    assert again.events == []  # still below the 5 last sent
