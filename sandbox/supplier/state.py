"""The portal's records: orders (as suppliers receive them), each order's
status history with notes, and the stock feed it was sent."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox.supplier.config import SupplierSandboxConfig

STATUSES = ("new", "processing", "shipped", "cancelled")


@dataclass
class StatusUpdate:
    status: str
    note: str
    at: datetime
    by: str  # "api" or "manual" (ops in the portal's ORDER HISTORY)
    update_id: str | None = None
    lines: list[dict[str, Any]] = field(default_factory=list)
    tracking: str | None = None
    carrier: str | None = None
    reason: str | None = None

    def json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "note": self.note,
            "at": self.at.isoformat(),
            "by": self.by,
            "update_id": self.update_id,
            "lines": self.lines,
            "tracking": self.tracking,
            "carrier": self.carrier,
            "reason": self.reason,
        }


@dataclass
class PortalRecord:
    order: dict[str, Any]  # the order as it is delivered (API and webhook body)
    visible_at: datetime
    status: str = "new"
    history: list[StatusUpdate] = field(default_factory=list)

    @property
    def number(self) -> str:
        return str(self.order["order_number"])

    @property
    def placed_at(self) -> datetime:
        return datetime.fromisoformat(str(self.order["placed_at"]))

    def delivered(self) -> dict[str, Any]:
        return {**self.order, "status": self.status}


class PortalState:
    def __init__(self, config: SupplierSandboxConfig, clock: Callable[[], datetime] | None = None):
        self.config = config
        self.now = clock or (lambda: datetime.now(UTC))
        self.orders: dict[str, PortalRecord] = {}
        self.stock: dict[str, dict[str, Any]] = {}
        self.stock_feeds = 0
        self.pushes: list[dict[str, Any]] = []  # what was pushed, with the receiver's answers
        self._next = 100_001

    def place(self, body: dict[str, Any]) -> PortalRecord:
        """A retailer's order, as the control API describes it; raises
        ValueError naming a missing field."""
        for name in ("items", "delivery_address"):
            if name not in body:
                raise ValueError(f"{name}: required")
        number = str(body.get("order_number") or f"PO-{self._next}")
        self._next += 1
        if number in self.orders:
            raise ValueError(f"order_number: {number} exists")
        now = self.now()
        placed_at = body.get("placed_at") or now.isoformat()
        order = {
            "order_number": number,
            "placed_at": placed_at,
            "items": body["items"],
            "contact": body.get("contact") or {},
            "delivery_address": body["delivery_address"],
        }
        visible_at = now + timedelta(seconds=float(body.get("visible_after_seconds") or 0))
        record = PortalRecord(order=order, visible_at=visible_at)
        self.orders[number] = record
        return record

    def visible(self, number: str) -> PortalRecord | None:
        record = self.orders.get(number)
        return record if record is not None and record.visible_at <= self.now() else None

    def in_range(self, start: datetime, end: datetime) -> list[PortalRecord]:
        now = self.now()
        found = [r for r in self.orders.values() if r.visible_at <= now and start <= r.placed_at <= end]
        return sorted(found, key=lambda r: (r.placed_at, r.number))

    def update_status(self, number: str, body: dict[str, Any], by: str) -> PortalRecord:
        record = self.orders[number]
        update_id = body.get("update_id")
        if update_id and any(u.update_id == update_id for u in record.history):
            return record  # the same update sent again: recorded once
        status = body.get("status")
        if status not in STATUSES:
            raise ValueError(f"status: one of {', '.join(STATUSES)}")
        note = body.get("note")
        if not isinstance(note, str) or not note.strip():
            raise ValueError("note: required (the retailer is e-mailed it)")
        lines = body.get("lines") or []
        known = {str(i.get("line") or pos) for pos, i in enumerate(record.order["items"], start=1)}
        for line in lines:
            if str(line.get("line")) not in known:
                raise ValueError(f"lines: order {number} has no line {line.get('line')}")
        record.history.append(
            StatusUpdate(
                status=status,
                note=note,
                at=self.now(),
                by=by,
                update_id=update_id,
                lines=lines,
                tracking=body.get("tracking"),
                carrier=body.get("carrier"),
                reason=body.get("reason"),
            )
        )
        record.status = self._order_status(record)
        return record

    @staticmethod
    def _order_status(record: PortalRecord) -> str:
        """The order's status from its history: lines not named by an update
        take its status for the whole order."""
        items = record.order["items"]
        per_line = {str(i.get("line") or pos): "new" for pos, i in enumerate(items, start=1)}
        for update in record.history:
            targets = [str(line["line"]) for line in update.lines] or list(per_line)
            for line in targets:
                per_line[line] = update.status
        values = set(per_line.values())
        if values == {"cancelled"}:
            return "cancelled"
        if "new" in values or "processing" in values:
            return "processing" if record.history else "new"
        return "shipped"

    def take_stock(self, items: list[Any]) -> list[dict[str, Any]]:
        results = []
        self.stock_feeds += 1
        for item in items:
            sku = str(item.get("sku") or "") if isinstance(item, dict) else ""
            if not sku:
                results.append({"sku": None, "accepted": False, "reason": "sku: required"})
                continue
            try:
                stock = int(item["stock"])
                price = Decimal(str(item["price"]))
            except (KeyError, ValueError, TypeError, InvalidOperation):
                results.append({"sku": sku, "accepted": False, "reason": "stock and price: required numbers"})
                continue
            if stock < 0 or price < 0:
                results.append({"sku": sku, "accepted": False, "reason": "stock and price: not negative"})
                continue
            self.stock[sku] = {"sku": sku, "stock": stock, "price": str(price), "at": self.now().isoformat()}
            results.append({"sku": sku, "accepted": True})
        return results
