"""Order versions the warehouse has acknowledged."""

from sqlalchemy.exc import IntegrityError

from activities.store.engine import Database
from activities.store.tables import WarehouseDelivery


class WarehouseDeliveries:
    def __init__(self, db: Database):
        self.db = db

    def acknowledged(self, key: str) -> bool:
        with self.db.session() as s:
            return s.get(WarehouseDelivery, key) is not None

    def record(self, key: str) -> None:
        # Two workers racing on one order version both saw the ack: one row is enough.
        try:
            with self.db.session() as s, s.begin():
                s.add(WarehouseDelivery(idempotency_key=key))
        except IntegrityError:
            pass
