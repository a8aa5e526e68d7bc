"""Open alerts and failed imports in the store."""

from datetime import UTC, datetime

from sqlalchemy import delete
from sqlmodel import select

from activities.store.engine import Database
from activities.store.tables import AlertRow, ImportFailureRow, utcnow
from domain.alerts.facts import FailedImport
from domain.alerts.lifecycle import Evaluation, evaluate
from domain.alerts.model import Alert, OpenAlert


class AlertBook:
    def __init__(self, db: Database):
        self.session = db.session

    def open_alerts(self) -> list[OpenAlert]:
        with self.session() as s:
            rows = s.exec(select(AlertRow).order_by(AlertRow.key))
            return [OpenAlert.model_validate(row.payload) for row in rows]

    def transition(self, found: list[Alert], now: datetime) -> Evaluation:
        """Read the open alerts, evaluate what changed and keep the new open
        ones, in one transaction: two evaluations that overlap (a manual
        trigger and the schedule's) cannot both raise the same alert."""
        with self.session() as s, s.begin():
            rows = list(s.exec(select(AlertRow).order_by(AlertRow.key).with_for_update()))
            result = evaluate([OpenAlert.model_validate(row.payload) for row in rows], found, now)
            s.exec(delete(AlertRow))
            for alert in result.open:
                s.add(AlertRow(key=alert.key, channel=alert.channel, payload=alert.model_dump(mode="json")))
        return result

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
