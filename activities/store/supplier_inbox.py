"""The supplier portal's inbox table: every delivery of an order is saved
here before Temporal hears of it (activities/marketplaces/supplier/inbox.py)."""

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from activities.store.engine import Database
from activities.store.tables import SupplierInboxRow, utcnow


@dataclass(frozen=True)
class InboxSave:
    new: bool
    # The via of the first delivery, when this one's content differs from it.
    conflicting_via: str | None = None


def content_hash(body: str) -> str:
    """What a delivery says about the order: all but its status on the
    portal, which moves as the order is handled (accepted, shipped) and is
    read afresh whenever it matters. Polling the same order again after we
    accepted it is the same delivery, not a conflicting one."""
    order = json.loads(body)
    if isinstance(order, dict):
        order.pop("status", None)
    return hashlib.sha256(json.dumps(order, sort_keys=True).encode()).hexdigest()


class SupplierInboxStore:
    def __init__(self, db: Database):
        self.db = db

    def save(self, channel: str, order_number: str, body: str, via: str) -> InboxSave:
        digest = content_hash(body)
        for _ in range(2):  # a concurrent first delivery wins the insert; this one then counts as a repeat
            try:
                with self.db.session() as s, s.begin():
                    row = s.get(SupplierInboxRow, (channel, order_number))
                    if row is None:
                        s.add(
                            SupplierInboxRow(
                                channel=channel, order_number=order_number, body=body, content_hash=digest, via=via
                            )
                        )
                        return InboxSave(new=True)
                    row.deliveries += 1
                    if row.content_hash != digest:
                        # Saved by older code, which hashed the status too.
                        row.content_hash = content_hash(row.body)
                    s.add(row)
                    return InboxSave(new=False, conflicting_via=None if row.content_hash == digest else row.via)
            except IntegrityError:
                continue
        raise RuntimeError(f"supplier inbox: could not save {channel} order {order_number}")

    def get(self, channel: str, order_number: str) -> str | None:
        with self.db.session() as s:
            row = s.get(SupplierInboxRow, (channel, order_number))
            return row.body if row else None

    def mark_read(self, channel: str, order_number: str) -> None:
        with self.db.session() as s, s.begin():
            row = s.get(SupplierInboxRow, (channel, order_number))
            if row is not None and row.read_at is None:
                row.read_at = utcnow()
                s.add(row)

    def waiting(self, channel: str, limit: int) -> list[str]:
        with self.db.session() as s:
            rows = s.exec(
                select(SupplierInboxRow)
                .where(SupplierInboxRow.channel == channel, col(SupplierInboxRow.read_at).is_(None))
                .order_by(col(SupplierInboxRow.received_at))
                .limit(limit)
            )
            return [row.body for row in rows]
