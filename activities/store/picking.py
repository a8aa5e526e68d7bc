"""Open order lines as the store knows them: reserved and not yet shipped
or released, with each line's ship-by date from the order as received."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlmodel import col, select

from activities.store.engine import Database
from activities.store.tables import OrderRecord, ProductRow, Reservation, ReservationState
from domain.picklist import OpenLine


class PickingStore:
    def __init__(self, db: Database):
        self.session = db.session

    def open_lines(self, channel: str | None = None) -> list[OpenLine]:
        with self.session() as s:
            query = (
                select(Reservation, OrderRecord.payload)
                .join(
                    OrderRecord,
                    (col(OrderRecord.channel) == Reservation.channel)
                    & (col(OrderRecord.marketplace_order_id) == Reservation.marketplace_order_id),
                )
                .where(Reservation.state == ReservationState.RESERVED)
            )
            if channel:
                query = query.where(Reservation.channel == channel)
            lines = []
            for reservation, payload in s.exec(query):
                quantity = reservation.quantity - reservation.quantity_shipped - reservation.quantity_released
                if quantity <= 0:
                    continue
                lines.append(
                    OpenLine(
                        channel=reservation.channel,
                        marketplace_order_id=reservation.marketplace_order_id,
                        sku=reservation.sku,
                        quantity=quantity,
                        ship_by=_ship_by(payload, reservation.line_id),
                    )
                )
            return lines

    def products(self, skus: set[str]) -> dict[str, tuple[str, str]]:
        with self.session() as s:
            rows = s.exec(select(ProductRow.sku, ProductRow.ean, ProductRow.title).where(col(ProductRow.sku).in_(skus)))
            return {sku: (ean, title) for sku, ean, title in rows}


def _ship_by(payload: Mapping[str, Any], line_id: str) -> date | None:
    """The line's latest delivery date; else the order's earliest one."""
    dates = {line.get("line_id"): line.get("latest_delivery_date") for line in payload.get("lines", [])}
    value = dates.get(line_id) or min((d for d in dates.values() if d), default=None)
    return date.fromisoformat(value) if value else None
