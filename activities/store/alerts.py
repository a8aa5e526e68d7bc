"""Open alerts and failed imports in the store."""

from datetime import UTC, datetime

from sqlalchemy import delete
from sqlmodel import col, select

from activities.store.engine import Database
from activities.store.tables import AlertDeliveryRow, AlertRow, ImportFailureRow, utcnow
from domain.alerts.facts import FailedImport
from domain.alerts.lifecycle import Evaluation, evaluate
from domain.alerts.messages import NotifyRequest
from domain.alerts.model import Alert, AlertEvent, OpenAlert


class AlertBook:
    def __init__(self, db: Database):
        self.session = db.session

    def open_alerts(self) -> list[OpenAlert]:
        with self.session() as s:
            rows = s.exec(select(AlertRow).order_by(AlertRow.key))
            return [OpenAlert.model_validate(row.payload) for row in rows]

    def transition(self, found: list[Alert], now: datetime, sinks: list[str] | None = None) -> Evaluation:
        """Read the open alerts, evaluate what changed and keep the new open
        ones, in one transaction: two evaluations that overlap (a manual
        trigger and the schedule's) cannot both raise the same alert. Each
        message is recorded for each sink in the same transaction, so an
        evaluation whose answer is lost after it committed loses no message."""
        with self.session() as s, s.begin():
            rows = list(s.exec(select(AlertRow).order_by(AlertRow.key).with_for_update()))
            result = evaluate([OpenAlert.model_validate(row.payload) for row in rows], found, now)
            s.exec(delete(AlertRow))
            for alert in result.open:
                s.add(AlertRow(key=alert.key, channel=alert.channel, payload=alert.model_dump(mode="json")))
            for event in result.events:
                for sink in sinks or []:
                    payload = event.model_dump(mode="json")
                    s.merge(AlertDeliveryRow(message_id=event.message_id, sink=sink, payload=payload, created_at=now))
        return result

    def undelivered(self, sinks: list[str], since: datetime) -> list[NotifyRequest]:
        """Messages recorded since `since` and not yet delivered, to the sinks
        still configured, oldest first."""
        with self.session() as s:
            rows = s.exec(
                select(AlertDeliveryRow)
                .where(col(AlertDeliveryRow.delivered_at).is_(None), col(AlertDeliveryRow.created_at) >= since)
                .order_by(
                    col(AlertDeliveryRow.created_at), col(AlertDeliveryRow.message_id), col(AlertDeliveryRow.sink)
                )
            )
            return [
                NotifyRequest(sink=row.sink, event=AlertEvent.model_validate(row.payload), message_id=row.message_id)
                for row in rows
                if row.sink in sinks
            ]

    def delivered(self, message_id: str, sink: str) -> bool:
        with self.session() as s:
            row = s.get(AlertDeliveryRow, (message_id, sink))
            return row is not None and row.delivered_at is not None

    def mark_delivered(self, message_id: str, sink: str, at: datetime | None = None) -> None:
        with self.session() as s, s.begin():
            row = s.get(AlertDeliveryRow, (message_id, sink))
            if row is not None:
                row.delivered_at = at or utcnow()
                s.add(row)

    def forget_deliveries(self, before: datetime) -> None:
        """The outbox keeps what it needs to not send twice, not forever."""
        with self.session() as s, s.begin():
            s.exec(delete(AlertDeliveryRow).where(col(AlertDeliveryRow.created_at) < before))

    def import_failed(self, kind: str, name: str, import_id: str, message: str, at: datetime | None = None) -> None:
        with self.session() as s, s.begin():
            row = s.get(ImportFailureRow, (kind, name)) or ImportFailureRow(
                kind=kind, name=name, import_id="", message=""
            )
            row.import_id, row.message, row.at = import_id, message, at or utcnow()
            s.add(row)

    def import_succeeded(self, kind: str, name: str) -> None:
        with self.session() as s, s.begin():
            row = s.get(ImportFailureRow, (kind, name))
            if row is not None:
                s.delete(row)

    def failed_imports(self) -> list[FailedImport]:
        with self.session() as s:
            return [
                FailedImport(
                    import_id=r.import_id,
                    kind=r.kind,
                    name=r.name,
                    message=r.message,
                    at=r.at if r.at.tzinfo else r.at.replace(tzinfo=UTC),
                )
                for r in s.exec(select(ImportFailureRow))
            ]
