"""Kaufland orders: finding changed ones, reading one, shipping and
cancelling its units.

Writes are synchronous (204), but an answer can be lost and Kaufland answers
a repeated command with "duplicate action" or "cancel not possible". So each
command reads the units first and sends only what is still to do, and a
refused command re-reads the unit to learn what actually happened. A
shipment counts once the unit reads `sent`."""

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from activities.marketplaces.kaufland import ids
from activities.marketplaces.kaufland.carriers import Carriers
from activities.marketplaces.kaufland.client import KauflandHttp, KauflandRefused
from activities.marketplaces.kaufland.mapping import (
    BUYER_CANCELLED,
    CANCELLED,
    OPEN,
    SENT,
    lines_of,
    order_from_wire,
)
from activities.marketplaces.kaufland.wire import OrderDetails, OrderUnit
from domain.errors import BusinessError, MarketplaceUnavailable
from domain.intake import OrderChange, UnreadableItem
from domain.order.commands import CommandResult, ShipmentResult
from domain.order.marketplace import Order
from domain.order.view import LineQuantity, Transport
from domain.reasons import CancellationReason

PAGE = 100  # Kaufland's maximum
# Units are listed by update time from the cursor minus this, so a unit
# updated while the previous read paged (offsets shift under a reader) or
# stamped by a clock a little behind ours is read again; duplicates are free
# (workflow ids), a missed unit is what the periodic full sweep is for.
OVERLAP = timedelta(minutes=2)

# Our reasons in Kaufland's words (OrderUnitCancelReason).
CANCEL_REASONS: dict[CancellationReason, str] = {
    CancellationReason.OUT_OF_STOCK: "NoInventory",
    CancellationReason.UNFINDABLE_ITEM: "NoInventory",
    CancellationReason.NOT_AVAIL_IN_TIME: "DelayedInventory",
    CancellationReason.REQUESTED_BY_CUSTOMER: "BuyerCancelled",
    CancellationReason.ORDERED_TWICE: "BuyerCancelled",
    CancellationReason.INCORRECT_PRICE: "WrongPrice",
    CancellationReason.BAD_CONDITION: "GeneralAdjustment",
    CancellationReason.HIGHER_SHIPCOST: "GeneralAdjustment",
    CancellationReason.NO_BOL_GUARANTEE: "GeneralAdjustment",
    CancellationReason.RETAIN_ITEM: "GeneralAdjustment",
    CancellationReason.TECH_ISSUE: "GeneralAdjustment",
    CancellationReason.OTHER: "GeneralAdjustment",
}

Skip = Callable[[UnreadableItem], None]


class KauflandOrders:
    def __init__(self, http: KauflandHttp, carriers: Carriers, storefront: str):
        self.http = http
        self.carriers = carriers
        self.storefront = storefront

    # Reading.

    async def changed_orders(
        self, since: datetime | None, now: datetime, skip: Skip | None = None
    ) -> list[OrderChange]:
        """Orders with a unit changed since `since` (every open order when None:
        the sweep). Units Kaufland's customer service cancelled for the buyer
        become cancellation requests on their line."""
        params: dict[str, Any] = {"storefront": self.storefront, "limit": PAGE}
        if since is None:
            params["status"] = sorted(OPEN)
        else:
            params["status"] = sorted(OPEN | {CANCELLED})
            params["ts_updated_from_iso"] = _iso(since - OVERLAP)
            params["sort"] = "ts_updated:desc"
        by_order: dict[str, list[OrderUnit]] = defaultdict(list)
        async for item in self._listed("/order-units", params):
            unit = _read_unit(item, skip)
            if unit is not None:
                by_order[unit.id_order].append(unit)
        changes = []
        for id_order, units in by_order.items():
            opened = any(u.status in OPEN for u in units)
            buyer_cancelled = any(u.status == CANCELLED and u.cancel_reason == BUYER_CANCELLED for u in units)
            if not opened and not buyer_cancelled:
                continue  # only our own cancellations: nothing new for the order
            requested: list[str] = []
            if buyer_cancelled:
                requested = await self._buyer_cancelled_lines(id_order)
            changes.append(
                OrderChange(
                    marketplace_order_id=id_order,
                    placed_at=min(u.ts_created_iso for u in units),
                    open=True,
                    cancellation_requested_line_ids=requested,
                )
            )
        return changes

    async def _buyer_cancelled_lines(self, id_order: str) -> list[str]:
        # A line's id needs all its units, and a listing shows only the changed ones.
        details = await self.details(id_order)
        return [
            line_id
            for line_id, units in lines_of(details.order_units).items()
            if any(u.status == CANCELLED and u.cancel_reason == BUYER_CANCELLED for u in units)
        ]

    async def _listed(self, path: str, params: dict[str, Any]) -> Any:
        offset = 0
        while True:
            page = (await self.http.call("GET", path, params={**params, "offset": offset})).json()
            items = page.get("data") if isinstance(page, dict) else None
            if not isinstance(items, list):
                raise ValueError(f"Kaufland sent a {path} page that is not a list: {str(page)[:200]}")
            for item in items:
                yield item
            total = (page.get("pagination") or {}).get("total", 0)
            offset += len(items)
            if not items or offset >= total:
                return

    async def details(self, id_order: str) -> OrderDetails:
        data = await self.http.data(f"/orders/{ids.order_id(id_order)}")
        details = OrderDetails.model_validate(data)
        if details.id_order != id_order:
            raise ids.InvalidKauflandId(f"id_order: Kaufland answered {details.id_order!r} for {id_order!r}")
        return details

    async def get_order(self, channel: str, id_order: str) -> Order:
        return order_from_wire(channel, await self.details(id_order))

    async def unit(self, id_order_unit: int) -> OrderUnit:
        return OrderUnit.model_validate(await self.http.data(f"/order-units/{ids.unit_id(id_order_unit)}"))

    # Commands.

    async def ship(
        self, id_order: str, lines: list[LineQuantity], shipped_before: dict[str, int], transport: Transport
    ) -> ShipmentResult:
        """Send the first `quantity` open units of each line; at most once: a
        unit already sent (by an earlier attempt whose answer was lost) counts
        toward the line instead of being sent again. A line with fewer open
        units than asked was cancelled for the buyer: it is reported."""
        carrier = await self.carriers.resolve(transport.transporter_code, transport.track_and_trace)
        groups = lines_of((await self.details(id_order)).order_units)
        shipped: list[LineQuantity] = []
        cancel_requested: list[str] = []
        for line in lines:
            units = groups.get(line.line_id)
            if units is None:
                raise BusinessError(f"line {line.line_id} is not on Kaufland order {id_order}")
            already = sum(u.status in SENT for u in units) - shipped_before.get(line.line_id, 0)
            wanted = line.quantity - max(0, already)
            sent = max(0, already)
            for unit in [u for u in units if u.status in OPEN][: max(0, wanted)]:
                sent += await self._send(unit.id_order_unit, carrier, transport.track_and_trace or "")
            if sent < line.quantity:
                cancel_requested.append(line.line_id)
            if sent:
                shipped.append(LineQuantity(line_id=line.line_id, quantity=min(sent, line.quantity)))
        return ShipmentResult(shipped=shipped, cancellation_requested_line_ids=cancel_requested)

    async def _send(self, id_order_unit: int, carrier: str, tracking: str) -> int:
        """1 once the unit reads sent, 0 when it was cancelled meanwhile."""
        body = {"carrier_code": carrier, "tracking_numbers": tracking}
        try:
            await self.http.call("PATCH", f"/order-units/{ids.unit_id(id_order_unit)}/send", json_body=body)
        except KauflandRefused as refused:
            if refused.status != 403 and not refused.needs_reread:
                raise
            # "Duplicate action" or "not allowed": the unit's state says which.
            unit = await self.unit(id_order_unit)
            if unit.status in SENT or unit.status == CANCELLED:
                return int(unit.status in SENT)
            raise BusinessError(
                f"Kaufland refused to send order unit {id_order_unit} ({unit.status}): {refused}",
                violations=refused.violations,
                status=refused.status,
            ) from refused
        unit = await self.unit(id_order_unit)
        if unit.status in SENT or unit.status == CANCELLED:
            return int(unit.status in SENT)
        raise MarketplaceUnavailable(f"Kaufland order unit {id_order_unit} does not read sent yet ({unit.status})")

    async def add_tracking(self, id_order: str, line_ids: list[str], transport: Transport) -> CommandResult:
        """Tracking after shipping: Kaufland adds a shipment (POST /shipments)
        to each unit already sent; it has no call to replace the first one.
        Sending the same parcel again only repeats it (no second parcel is
        made of it), so a retry is harmless."""
        carrier = await self.carriers.resolve(transport.transporter_code, transport.track_and_trace)
        groups = lines_of((await self.details(id_order)).order_units)
        units = [u for line_id in line_ids for u in groups.get(line_id, []) if u.status in SENT]
        if not units:
            raise BusinessError(f"Kaufland order {id_order} has no unit sent to add tracking to")
        for unit in units:
            body = {
                "id_order_unit": int(ids.unit_id(unit.id_order_unit)),
                "shipment_information": {"carrier_code": carrier, "tracking_number": transport.track_and_trace or ""},
            }
            await self.http.call("POST", "/shipments", json_body=body, ok=(204,))
        return CommandResult(
            note=f"Kaufland keeps the first tracking too: {transport.track_and_trace} added to {len(units)} unit(s)"
        )

    async def cancel_line(self, id_order: str, line_id: str, reason: CancellationReason) -> CommandResult:
        """Cancel every open unit of the line (what the workflow still counts
        as open); units already cancelled are left be."""
        groups = lines_of((await self.details(id_order)).order_units)
        units = groups.get(line_id)
        if units is None:
            raise BusinessError(f"line {line_id} is not on Kaufland order {id_order}")
        for unit in [u for u in units if u.status in OPEN]:
            await self._cancel(unit.id_order_unit, CANCEL_REASONS[reason])
        return CommandResult()

    async def _cancel(self, id_order_unit: int, reason: str) -> None:
        try:
            await self.http.call(
                "PATCH", f"/order-units/{ids.unit_id(id_order_unit)}/cancel", json_body={"reason": reason}
            )
            return
        except KauflandRefused as refused:
            if refused.status != 403 and not refused.needs_reread:
                raise
            unit = await self.unit(id_order_unit)
            if unit.status == CANCELLED:
                return  # an earlier attempt (or Kaufland's customer service) did it
            raise BusinessError(
                f"Kaufland cannot cancel order unit {id_order_unit}: it is {unit.status} ({refused})",
                violations=refused.violations,
                status=refused.status,
            ) from refused


def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _read_unit(item: Any, skip: Skip | None) -> OrderUnit | None:
    """A listed unit, or None when it cannot be read (reported to `skip`)."""
    try:
        unit = OrderUnit.model_validate(item)
        ids.order_id(unit.id_order)
        return unit
    except (ValidationError, ValueError) as exc:
        if skip is None:
            raise
        known = item.get("id_order") if isinstance(item, dict) else None
        item_id = known if isinstance(known, str) and ids.ORDER_ID.fullmatch(known) else None
        unit_id = item.get("id_order_unit") if isinstance(item, dict) else None
        skip(
            UnreadableItem.model_validate(
                {"kind": "order", "item_id": str(item_id or f"unit {unit_id}"), "reason": _reason(exc)}
            )
        )
        return None


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "item"
        return f"{where}: {first['msg']}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
