"""Kaufland returns: one return unit per returned piece, handled with
accept, reject, repair or clarify (PATCH /return-units/{id}/<action>).

Each return unit becomes a ReturnNotice of quantity 1 on the line its order
unit belongs to (a line is the units of one offer, mapping.py), so a return
of one of three pieces returns one of the line's three. Writes answer 204;
a lost answer or a repeat gets 403 "unit wrong status", so a handling reads
the unit first and, when refused, again: it counts once the unit shows the
handling's status."""

from collections import OrderedDict
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from activities.marketplaces.kaufland import ids
from activities.marketplaces.kaufland.client import KauflandHttp, KauflandRefused
from activities.marketplaces.kaufland.mapping import lines_of
from activities.marketplaces.kaufland.orders import KauflandOrders, Skip
from activities.marketplaces.kaufland.pages import listed
from activities.marketplaces.kaufland.wire import OrderDetails, Wire
from domain.errors import BusinessError, MarketplaceUnavailable, Violation
from domain.intake import UnreadableItem
from domain.order.commands import CommandResult
from domain.order.marketplace import ReturnNotice
from domain.reasons import ReturnHandling

# Our handlings in Kaufland's actions, and the status each leaves the unit in.
ACTIONS: dict[ReturnHandling, tuple[str, str]] = {
    ReturnHandling.RETURN_RECEIVED: ("accept", "return_accepted"),
    ReturnHandling.RETURN_DOES_NOT_MEET_CONDITIONS: ("reject", "return_rejected"),
    ReturnHandling.REPAIR_PRODUCT: ("repair", "return_in_repair"),
    ReturnHandling.CLARIFY: ("clarify", "return_in_clarification"),
}
# Kaufland requires a message with these; the buyer reads it (a ticket opens).
DEFAULT_MESSAGES = {
    "reject": "The returned item does not meet the return conditions.",
    "clarify": "We have questions about your return; please reply to this message.",
}
# Still the seller's to handle: announced, arrived, or in clarification or repair.
AWAITING_SELLER = ("need_to_be_returned", "return_arrived", "return_in_clarification", "return_in_repair")
FINAL = frozenset({"return_accepted", "return_rejected", "return_closed"})
# The buyer keeps the piece and is paid back: Kaufland has no return action
# for it, but refunds an order unit (PATCH /order-units/{id}/refund).
KEEPS_AND_IS_REFUNDED = ReturnHandling.CUSTOMER_KEEPS_PRODUCT_PAID
REFUND_REASON = "other_refund"


class ReturnUnit(Wire):
    id_return_unit: int
    id_return: int
    id_order_unit: int
    ts_created_iso: datetime
    status: str
    reason: str | None = None
    note: str | None = None


# Order units whose order and line are known: they never change (a line is
# named by its lowest unit id, and Kaufland never adds units to an order), so
# a return unit listed at every poll costs its two reads once.
KNOWN_UNITS = 100_000


class KauflandReturns:
    def __init__(self, http: KauflandHttp, orders: KauflandOrders, storefront: str):
        self.http = http
        self.orders = orders
        self.storefront = storefront
        # id_order_unit → (id_order, line id, EAN)
        self._where: OrderedDict[int, tuple[str, str | None, str]] = OrderedDict()

    async def open_returns(self, skip: Skip | None = None) -> list[ReturnNotice]:
        """Return units still waiting for the seller, each on its order's line.
        Orders are read once per call however many of their units come back."""
        params = {"storefront": self.storefront, "status": list(AWAITING_SELLER)}
        orders: dict[str, OrderDetails] = {}
        notices: list[ReturnNotice] = []
        async for item in listed(self.http, "/return-units", params):
            try:
                unit = ReturnUnit.model_validate(item)
                notices.append(await self._notice(unit, orders))
            except (ValidationError, ValueError) as exc:
                if skip is None:
                    raise
                known = item.get("id_return_unit") if isinstance(item, dict) else None
                item_id = str(known) if isinstance(known, int) else "?"
                skip(UnreadableItem.model_validate({"kind": "return", "item_id": item_id, "reason": _reason(exc)}))
        return notices

    async def _notice(self, unit: ReturnUnit, orders: dict[str, OrderDetails]) -> ReturnNotice:
        id_order, line_id, ean = await self._where_is(unit.id_order_unit, orders)
        return ReturnNotice(
            marketplace_order_id=id_order,
            rma_id=str(unit.id_return_unit),
            return_id=str(unit.id_return),
            ean=ean,
            line_id=line_id,
            quantity=1,
            reason=unit.reason or "",
            registered_at=unit.ts_created_iso,
        )

    async def _where_is(self, id_order_unit: int, orders: dict[str, OrderDetails]) -> tuple[str, str | None, str]:
        known = self._where.get(id_order_unit)
        if known is not None:
            self._where.move_to_end(id_order_unit)
            return known
        order_unit = await self.orders.unit(id_order_unit)
        id_order = ids.order_id(order_unit.id_order)
        if id_order not in orders:
            orders[id_order] = await self.orders.details(id_order)
        line_id = next(
            (
                line_id
                for line_id, units in lines_of(orders[id_order].order_units).items()
                if any(u.id_order_unit == id_order_unit for u in units)
            ),
            None,
        )
        self._where[id_order_unit] = found = (id_order, line_id, order_unit.ean)
        while len(self._where) > KNOWN_UNITS:
            self._where.popitem(last=False)
        return found

    async def handle(
        self, rma_id: str, handling: ReturnHandling, message: str | None, retry: bool = False
    ) -> CommandResult:
        """`retry`: an earlier attempt of this command may have been sent."""
        if handling is KEEPS_AND_IS_REFUNDED:
            return await self._refund_kept(ids.unit_id(rma_id), retry)
        action = ACTIONS.get(handling)
        if action is None:
            offered = ", ".join([*ACTIONS, KEEPS_AND_IS_REFUNDED])
            raise BusinessError(
                f"Kaufland has no {handling} for returns (one of {offered})",
                violations=[Violation(name="handling", reason=f"{handling} is not offered by Kaufland")],
            )
        verb, status = action
        unit_id = ids.unit_id(rma_id)
        before = await self._status(unit_id)
        if before == status or (before in FINAL and status in FINAL):
            return CommandResult()  # an earlier attempt did it (its answer was lost)
        body: dict[str, Any] | None = None
        if verb in DEFAULT_MESSAGES:
            body = {"message": message or DEFAULT_MESSAGES[verb]}
        try:
            await self.http.call("PATCH", f"/return-units/{unit_id}/{verb}", json_body=body)
            return CommandResult()
        except KauflandRefused as refused:
            if refused.status != 403:
                raise
            after = await self._status(unit_id)
            if after == status:
                return CommandResult()
            raise BusinessError(
                f"Kaufland cannot {verb} return unit {unit_id}: it is {after} ({refused})",
                violations=refused.violations,
                status=refused.status,
            ) from refused

    async def _refund_kept(self, unit_id: str, retry: bool) -> CommandResult:
        """Refund the returned piece's price; the buyer keeps it. Money goes
        out at most once: Kaufland shows no refund on the unit, so a retry
        (the earlier answer may have been lost) cannot tell whether it went
        out, and asks ops instead of refunding twice."""
        returned = ReturnUnit.model_validate(await self.http.data(f"/return-units/{unit_id}"))
        if returned.status in FINAL:
            return CommandResult()  # settled otherwise (accepted, rejected, closed): nothing to refund
        order_unit = await self.orders.unit(returned.id_order_unit)
        if retry:
            raise BusinessError(
                f"a refund of {order_unit.price} cents for Kaufland order unit {order_unit.id_order_unit} may "
                "already have gone out (an earlier attempt got no answer): check the order in Kaufland's "
                "seller portal; resume only if no refund is there",
                violations=[Violation(name="refund", reason="not repeated without a check")],
            )
        await self.http.call(
            "PATCH",
            f"/order-units/{ids.unit_id(order_unit.id_order_unit)}/refund",
            json_body={"amount": order_unit.price, "reason": REFUND_REASON},
        )
        return CommandResult()

    async def _status(self, unit_id: str) -> str:
        data = await self.http.data(f"/return-units/{unit_id}")
        status = data.get("status") if isinstance(data, dict) else None
        if not isinstance(status, str):
            raise MarketplaceUnavailable(f"Kaufland sent return unit {unit_id} without a status")
        return status


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors(include_url=False)[0]
        return f"{'.'.join(str(p) for p in first['loc']) or 'item'}: {first['msg']}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
