"""Order versions for the warehouse: an outbox that also remembers what the
warehouse acknowledged."""

from sqlalchemy.exc import IntegrityError

from activities.store.engine import Database
from activities.store.tables import WarehouseDelivery, utcnow


class WarehouseDeliveries:
    def __init__(self, db: Database):
        self.db = db

    def stage(self, key: str, body: str) -> None:
        """Keeps the first body staged under `key`: a retry sends what the first attempt sent."""
        try:
            with self.db.session() as s, s.begin():
                if s.get(WarehouseDelivery, key) is None:
                    s.add(WarehouseDelivery(idempotency_key=key, body=body))
        except IntegrityError:
            pass  # another attempt staged it first: the same order version

    def pending(self, key: str) -> str | None:
        """The body still to be delivered; None once acknowledged (or never staged)."""
        with self.db.session() as s:
            row = s.get(WarehouseDelivery, key)
            return row.body if row is not None and row.acknowledged_at is None else None

    def acknowledge(self, key: str) -> None:
        with self.db.session() as s, s.begin():
            row = s.get(WarehouseDelivery, key)
            if row is not None and row.acknowledged_at is None:
                row.acknowledged_at = utcnow()
                s.add(row)
