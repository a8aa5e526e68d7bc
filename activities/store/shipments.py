"""Shipments waiting for the marketplace's final status: recorded when the
ship command starts (its first attempt's time kept), removed once it ends."""

from collections.abc import Mapping
from datetime import datetime

from sqlmodel import col, select

from activities.store.engine import Database
from activities.store.inventory import take_off_shelf
from activities.store.tables import ShipmentInFlight


class ShipmentsInFlight:
    def __init__(self, db: Database):
        self.db = db

    def started(self, channel: str, marketplace_order_id: str, workflow_id: str) -> None:
        with self.db.session() as s, s.begin():
            if s.get(ShipmentInFlight, (channel, marketplace_order_id)) is None:
                s.add(
                    ShipmentInFlight(
                        channel=channel, marketplace_order_id=marketplace_order_id, workflow_id=workflow_id
                    )
                )

    def ended(self, channel: str, marketplace_order_id: str) -> None:
        with self.db.session() as s, s.begin():
            row = s.get(ShipmentInFlight, (channel, marketplace_order_id))
            if row is not None:
                s.delete(row)

    def confirmed(self, channel: str, marketplace_order_id: str, shipped: Mapping[str, int]) -> None:
        """The marketplace confirmed the shipment: its lines' units (`shipped`:
        units shipped in all, by line key) leave the shelf and it is no longer
        waited for, in one transaction (a retry repeats it harmlessly)."""
        with self.db.session() as s, s.begin():
            for line_key, total in shipped.items():
                take_off_shelf(s, line_key, total)
            row = s.get(ShipmentInFlight, (channel, marketplace_order_id))
            if row is not None:
                s.delete(row)

    def waiting_since(self, before: datetime) -> list[ShipmentInFlight]:
        with self.db.session() as s:
            rows = s.exec(select(ShipmentInFlight).where(col(ShipmentInFlight.since) < before))
            return [ShipmentInFlight.model_validate(row) for row in rows]

    def count(self, channel: str) -> int:
        with self.db.session() as s:
            return len(
                s.exec(select(ShipmentInFlight.marketplace_order_id).where(ShipmentInFlight.channel == channel)).all()
            )
