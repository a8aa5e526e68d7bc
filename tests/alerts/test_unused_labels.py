"""A label bought from the marketplace and not used: read from the store's
shipping_label table, raised after `label_unused`, resolved once a shipment
goes out with it, and sent once through the evaluation's outbox."""

from datetime import UTC, datetime, timedelta
from typing import cast

from sqlmodel import select
from temporalio.client import Client

from activities.alerts.evaluate import AlertActivities
from activities.store import Database
from activities.store.labels import ShippingLabels
from activities.store.tables import ShippingLabelRow
from domain.alerts.conditions import all_alerts, label_unused
from domain.alerts.config import AlertSettings, Thresholds
from domain.alerts.facts import Facts, UnusedLabel
from domain.alerts.model import AlertKind, Severity
from domain.labels import BoughtLabel

NOW = datetime(2026, 12, 2, 14, 30, tzinfo=UTC)
LIMITS = Thresholds()


def label(bought_ago: timedelta, voided: str | None = None) -> UnusedLabel:
    return UnusedLabel(
        channel="bol",
        marketplace_order_id="A1",
        label_id="L1",
        transporter_code="TNT",
        track_and_trace="3SBOL1",
        bought_at=NOW - bought_ago,
        voided=voided,
    )


def test_an_unused_label_warns_after_its_grace_and_is_left_alone_once_forgotten():
    assert label_unused(label(timedelta(minutes=50)), NOW, LIMITS) is None
    alert = label_unused(label(timedelta(hours=2)), NOW, LIMITS)
    assert alert is not None and alert.kind is AlertKind.LABEL_UNUSED and alert.severity is Severity.WARNING
    assert alert.workflow_id == "order:bol:A1" and "L1 (TNT, 3SBOL1)" in alert.message
    voided = label_unused(label(timedelta(hours=2), voided="bol's API cannot cancel shipping label L1"), NOW, LIMITS)
    assert voided is not None and "cannot cancel" in voided.message
    assert label_unused(label(timedelta(days=15)), NOW, LIMITS) is None
    kinds = {a.kind for a in all_alerts(Facts(now=NOW, unused_labels=[label(timedelta(hours=2))]), LIMITS)}
    assert kinds == {AlertKind.LABEL_UNUSED}


def backdate(db: Database, hours: float) -> None:
    with db.session() as s, s.begin():
        for row in s.exec(select(ShippingLabelRow)):
            row.bought_at = datetime.now(UTC) - timedelta(hours=hours)
            s.add(row)


async def test_a_label_bought_and_not_shipped_raises_until_a_shipment_uses_it(store):
    labels = ShippingLabels(store)
    labels.buying("bol", "A1", "process-1")
    assert labels.unused(datetime.now(UTC) - timedelta(days=1)) == []  # bought only once bol made it
    labels.bought("bol", "A1", BoughtLabel(label_id="L1", transporter_code="TNT", track_and_trace="3SBOL1"))
    backdate(store, 2)
    activities = AlertActivities(AlertSettings(log=False), {}, store, cast(Client, None), "ordertide")

    def facts() -> Facts:
        now = datetime.now(UTC)
        return Facts(now=now, unused_labels=labels.unused(now - LIMITS.label_forgotten))

    raised = await activities.settle(all_alerts(facts(), LIMITS), datetime.now(UTC))
    assert [(e.change, e.alert.kind) for e in raised.events] == [("raised", AlertKind.LABEL_UNUSED)]
    assert raised.attention == {"order:bol:A1": "label-unused (warning)"}

    labels.used("bol", "A1")
    resolved = await activities.settle(all_alerts(facts(), LIMITS), datetime.now(UTC))
    assert [(e.change, e.alert.kind) for e in resolved.events] == [("resolved", AlertKind.LABEL_UNUSED)]

    # A later parcel's new purchase starts its own clock: not unused "for hours" at once.
    labels.bought("bol", "A1", BoughtLabel(label_id="L2", transporter_code="TNT", track_and_trace="3SBOL2"))
    assert [u.label_id for u in labels.unused(datetime.now(UTC) - timedelta(minutes=1))] == ["L2"]
    assert (await activities.settle(all_alerts(facts(), LIMITS), datetime.now(UTC))).events == []
