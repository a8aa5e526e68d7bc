"""Shipping labels bought from marketplaces, one per order (activities/store/tables.py)."""

from datetime import UTC, datetime

from sqlmodel import col, select

from activities.store.engine import Database
from activities.store.tables import ShippingLabelRow, utcnow
from domain.alerts.facts import UnusedLabel
from domain.labels import BoughtLabel


class ShippingLabels:
    def __init__(self, db: Database):
        self.session = db.session

    def get(self, channel: str, marketplace_order_id: str) -> ShippingLabelRow | None:
        with self.session() as s:
            row = s.get(ShippingLabelRow, (channel, marketplace_order_id))
            return ShippingLabelRow.model_validate(row) if row is not None else None

    def buying(self, channel: str, marketplace_order_id: str, process_id: str) -> None:
        with self.session() as s, s.begin():
            row = s.get(ShippingLabelRow, (channel, marketplace_order_id))
            if row is None:
                row = ShippingLabelRow(channel=channel, marketplace_order_id=marketplace_order_id)
            # A new purchase (a later partial shipment's): the row is about it now.
            row.process_id, row.label_id, row.track_and_trace, row.pdf = process_id, None, None, None
            row.used, row.voided, row.bought_at = False, None, utcnow()
            s.add(row)

    def bought(self, channel: str, marketplace_order_id: str, label: BoughtLabel) -> ShippingLabelRow:
        with self.session() as s, s.begin():
            row = s.get(ShippingLabelRow, (channel, marketplace_order_id))
            if row is None:
                row = ShippingLabelRow(channel=channel, marketplace_order_id=marketplace_order_id)
            if row.label_id is not None and row.label_id != label.label_id:
                row.bought_at = utcnow()  # another purchase than the row's last (a later parcel's)
            row.label_id = label.label_id
            row.transporter_code = label.transporter_code
            row.track_and_trace = label.track_and_trace
            row.name = label.name or row.name
            row.price = label.price if label.price is not None else row.price
            row.pdf = label.pdf
            row.used, row.voided = False, None
            s.add(row)
            s.flush()
            return ShippingLabelRow.model_validate(row)

    def voided(self, channel: str, marketplace_order_id: str, note: str) -> None:
        with self.session() as s, s.begin():
            row = s.get(ShippingLabelRow, (channel, marketplace_order_id))
            if row is not None:
                row.voided = note
                s.add(row)

    def used(self, channel: str, marketplace_order_id: str) -> None:
        with self.session() as s, s.begin():
            row = s.get(ShippingLabelRow, (channel, marketplace_order_id))
            if row is not None:
                row.used = True
                s.add(row)

    def unused(self, bought_since: datetime) -> list[UnusedLabel]:
        """Labels bought since then that no shipment went out with."""
        with self.session() as s:
            rows = s.exec(
                select(ShippingLabelRow).where(
                    col(ShippingLabelRow.label_id).is_not(None),
                    col(ShippingLabelRow.used).is_(False),
                    col(ShippingLabelRow.bought_at) >= bought_since,
                )
            )
            return [
                UnusedLabel(
                    channel=row.channel,
                    marketplace_order_id=row.marketplace_order_id,
                    label_id=row.label_id or "",
                    transporter_code=row.transporter_code or "",
                    track_and_trace=row.track_and_trace or "",
                    bought_at=row.bought_at if row.bought_at.tzinfo else row.bought_at.replace(tzinfo=UTC),
                    voided=row.voided,
                )
                for row in rows
            ]
