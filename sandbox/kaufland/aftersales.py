"""What happens after an order ships on the Kaufland sandbox: return units
(the buyer returns pieces; the seller accepts, rejects, repairs or asks),
tickets (buyer messages) and the seller's invoices.

Return units start `need_to_be_returned` (announced) and may be set
`return_arrived`; accept and reject end them, repair and clarify keep them
open. Reject and clarify send the buyer the seller's message in a ticket, as
Kaufland does. A ticket waits for the seller while the buyer spoke last."""

import base64
import binascii
import itertools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sandbox.kaufland.orders import OrderBook, unit_json, wire_time
from sandbox.kaufland.problems import forbidden, invalid, not_found

RETURN_REASONS = frozenset(
    {
        "accidentally_ordered",
        "bad_quality",
        "better_price",
        "defect",
        "delivered_damaged",
        "dislike",
        "misleading_description",
        "missing_parts",
        "no_reason",
        "too_late",
        "wrong_article",
        "wrong_size",
    }
)
RETURN_UNIT_STATUSES = frozenset(
    {
        "need_to_be_returned",
        "return_arrived",
        "return_accepted",
        "return_rejected",
        "return_closed",
        "return_in_repair",
        "return_in_clarification",
    }
)
# verb → (statuses it may start from, status it leaves)
RETURN_ACTIONS = {
    "accept": (
        {"need_to_be_returned", "return_arrived", "return_in_clarification", "return_in_repair"},
        "return_accepted",
    ),
    "reject": (
        {"need_to_be_returned", "return_arrived", "return_in_clarification", "return_in_repair"},
        "return_rejected",
    ),
    "repair": ({"need_to_be_returned", "return_arrived", "return_in_clarification"}, "return_in_repair"),
    "clarify": ({"need_to_be_returned", "return_arrived", "return_in_repair"}, "return_in_clarification"),
}
SENT_UNIT_STATUSES = frozenset({"sent", "sent_and_autopaid", "received"})
TICKET_REASONS = frozenset(
    {"product_not_as_described", "product_defect", "product_not_delivered", "product_return", "contact_other"}
)
# The topic Kaufland files a ticket under, by its reason (one of TicketTopic).
TICKET_TOPICS = {
    "product_not_as_described": "product_properties",
    "product_defect": "order_product_defect",
    "product_not_delivered": "delivery_not_received",
    "product_return": "return_check_status",
    "contact_other": "other_question",
}
TICKET_STATUSES = frozenset({"opened", "buyer_closed", "seller_closed", "both_closed", "customer_service_closed_final"})


class NewReturn(BaseModel):
    """POST /_sandbox/returns: the buyer returns these order units."""

    model_config = ConfigDict(extra="forbid")

    id_order_units: list[int] = Field(min_length=1)
    reason: str = "no_reason"
    note: str | None = None
    arrived: bool = True


class NewTicket(BaseModel):
    """POST /_sandbox/tickets: the buyer writes about these order units."""

    model_config = ConfigDict(extra="forbid")

    id_order_units: list[int] = Field(min_length=1)
    reason: str = "contact_other"
    message: str = Field(min_length=1)
    # When the buyer wrote (default: now), to make a ticket overdue without waiting a day.
    at: datetime | None = None


@dataclass
class ReturnUnit:
    id_return_unit: int
    id_return: int
    id_order_unit: int
    created: datetime
    updated: datetime
    status: str
    reason: str
    note: str | None
    storefront: str
    message: str | None = None


@dataclass
class Ticket:
    id_ticket: str
    unit_ids: list[int]
    id_buyer: int | None
    created: datetime
    updated: datetime
    open_reason: str
    storefront: str
    status: str = "opened"
    messages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def seller_responsible(self) -> bool:
        return self.status == "opened" and bool(self.messages) and self.messages[-1]["author"]["role"] == "buyer"


@dataclass
class Invoice:
    id_invoice: int
    id_order: str
    storefront: str
    original_name: str
    mime_type: str
    size: int
    created: datetime


class AfterSales:
    def __init__(self) -> None:
        self.return_units: dict[int, ReturnUnit] = {}
        self.tickets: dict[str, Ticket] = {}
        self.invoices: list[Invoice] = []
        self._return_ids = itertools.count(23234500)
        self._return_unit_ids = itertools.count(45456700)
        self._ticket_ids = itertools.count(1234500)
        self._message_ids = itertools.count(64123100)
        self._invoice_ids = itertools.count(918273600)

    # Returns.

    def open_return(self, new: NewReturn, orders: OrderBook, now: datetime) -> list[ReturnUnit]:
        if new.reason not in RETURN_REASONS:
            raise invalid("reason", f"unknown return reason {new.reason!r}")
        units = [orders.unit(uid) for uid in new.id_order_units]
        if len({u.id_order for u in units}) > 1:
            raise invalid("id_order_units", "all units of one return must belong to one order")
        for unit in units:
            if unit.status not in SENT_UNIT_STATUSES:
                raise invalid("id_order_units", f"order unit {unit.id_order_unit} is {unit.status}, not sent")
            if any(r.id_order_unit == unit.id_order_unit for r in self.return_units.values()):
                raise invalid("id_order_units", f"order unit {unit.id_order_unit} is already returned")
        id_return = next(self._return_ids)
        created = []
        for unit in units:
            ret = ReturnUnit(
                id_return_unit=next(self._return_unit_ids),
                id_return=id_return,
                id_order_unit=unit.id_order_unit,
                created=now,
                updated=now,
                status="return_arrived" if new.arrived else "need_to_be_returned",
                reason=new.reason,
                note=new.note,
                storefront=unit.storefront,
            )
            self.return_units[ret.id_return_unit] = ret
            created.append(ret)
        return created

    def return_unit(self, id_return_unit: int) -> ReturnUnit:
        found = self.return_units.get(id_return_unit)
        if found is None:
            raise not_found(f"Return unit {id_return_unit}")
        return found

    def act(self, id_return_unit: int, verb: str, message: str | None, orders: OrderBook, now: datetime) -> None:
        ret = self.return_unit(id_return_unit)
        allowed, after = RETURN_ACTIONS[verb]
        if ret.status not in allowed:
            raise forbidden(
                "/problems/returns/unit-wrong-status", f"Return unit {id_return_unit} is {ret.status}: cannot {verb}"
            )
        ret.status, ret.updated = after, now
        if verb == "accept":
            unit = orders.unit(ret.id_order_unit)
            unit.status, unit.updated = "returned", now
        if message is not None:
            ret.message = message
            unit = orders.unit(ret.id_order_unit)
            self._open(
                [unit.id_order_unit], orders, "product_return", "seller", message, now, storefront=unit.storefront
            )

    def listed_returns(self, statuses: list[str], storefront: str | None) -> list[ReturnUnit]:
        found = [
            r
            for r in self.return_units.values()
            if (not statuses or r.status in statuses) and (storefront is None or r.storefront == storefront)
        ]
        return sorted(found, key=lambda r: (r.created, r.id_return_unit), reverse=True)

    # Tickets.

    def open_ticket(self, new: NewTicket, orders: OrderBook, now: datetime) -> Ticket:
        if new.reason not in TICKET_REASONS:
            raise invalid("reason", f"unknown ticket reason {new.reason!r}")
        units = [orders.unit(uid) for uid in new.id_order_units]
        at = new.at or now
        return self._open(new.id_order_units, orders, new.reason, "buyer", new.message, at, units[0].storefront)

    def _open(
        self, unit_ids: list[int], orders: OrderBook, reason: str, role: str, text: str, at: datetime, storefront: str
    ) -> Ticket:
        order = orders.orders[orders.unit(unit_ids[0]).id_order]
        ticket = Ticket(
            id_ticket=f"001{next(self._ticket_ids)}",
            unit_ids=list(unit_ids),
            id_buyer=order.buyer.get("id_buyer"),
            created=at,
            updated=at,
            open_reason=reason,
            storefront=storefront,
        )
        self.tickets[ticket.id_ticket] = ticket
        self.add_message(ticket.id_ticket, role, text, at)
        return ticket

    def ticket(self, id_ticket: str) -> Ticket:
        found = self.tickets.get(id_ticket)
        if found is None:
            raise not_found(f"Ticket {id_ticket}")
        return found

    def add_message(self, id_ticket: str, role: str, text: str, at: datetime) -> None:
        ticket = self.ticket(id_ticket)
        if ticket.status != "opened":
            raise forbidden("/problems/tickets/finally-closed", f"Ticket {id_ticket} is {ticket.status}")
        ticket.messages.append(
            {
                "id_ticket_message": next(self._message_ids),
                "id_ticket": id_ticket,
                "author": {"role": role, "name": "Kaufland Seller" if role == "seller" else "Buyer"},
                "text": text,
                "ts_created_iso": wire_time(at),
            }
        )
        ticket.updated = at

    def listed_tickets(
        self, statuses: list[str], id_buyer: int | None, storefronts: list[str], created_from: datetime | None
    ) -> list[Ticket]:
        found = [
            t
            for t in self.tickets.values()
            if (not statuses or t.status in statuses)
            and (id_buyer is None or t.id_buyer == id_buyer)
            and (not storefronts or t.storefront in storefronts)
            and (created_from is None or t.created >= created_from)
        ]
        return sorted(found, key=lambda t: (t.created, t.id_ticket), reverse=True)

    # Invoices.

    def add_invoice(self, id_order: str, body: dict[str, Any], orders: OrderBook, now: datetime) -> Invoice:
        order = orders.order(id_order)
        name, mime, data = body.get("original_name"), body.get("mime_type"), body.get("data")
        for key, value in (("original_name", name), ("mime_type", mime), ("data", data)):
            if not isinstance(value, str) or not value:
                raise invalid(key, "is required")
        assert isinstance(name, str) and isinstance(mime, str) and isinstance(data, str)  # narrowed above
        if mime != "application/pdf":
            raise invalid("mime_type", f"{mime!r} is not accepted; upload a PDF (application/pdf)")
        try:
            content = base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise invalid("data", "is not Base64") from None
        if not content.startswith(b"%PDF-"):
            raise invalid("data", "is not a PDF document")
        invoice = Invoice(next(self._invoice_ids), id_order, order.storefront, name, mime, len(content), now)
        self.invoices.append(invoice)
        return invoice

    def order_invoices(self, id_order: str) -> list[dict[str, Any]]:
        """What `GET /orders/{id}?embedded=order_invoices` shows."""
        return [invoice_json(i) for i in self.invoices if i.id_order == id_order]


def return_unit_json(ret: ReturnUnit) -> dict[str, Any]:
    return {
        "id_return_unit": ret.id_return_unit,
        "id_return": ret.id_return,
        "id_order_unit": ret.id_order_unit,
        "ts_created_iso": wire_time(ret.created),
        "status": ret.status,
        "note": ret.note,
        "reason": ret.reason,
        "storefront": ret.storefront,
        "fulfillment_type": "fulfilled_by_merchant",
    }


def return_unit_details_json(ret: ReturnUnit, orders: OrderBook, after_sales: AfterSales) -> dict[str, Any]:
    siblings = [r for r in after_sales.return_units.values() if r.id_return == ret.id_return]
    unit = orders.unit(ret.id_order_unit)
    return {
        **return_unit_json(ret),
        "return": {
            "id_return": ret.id_return,
            "ts_created_iso": wire_time(min(r.created for r in siblings)),
            "ts_updated_iso": wire_time(max(r.updated for r in siblings)),
            "status": "package_received"
            if all(r.status != "need_to_be_returned" for r in siblings)
            else "return_requested",
            "storefront": ret.storefront,
            "fulfillment_type": "fulfilled_by_merchant",
            "tracking_provider": None,
            "tracking_code": None,
        },
        "order_unit": unit_json(unit, orders.orders[unit.id_order]),
    }


def ticket_json(ticket: Ticket) -> dict[str, Any]:
    return {
        "id_ticket": ticket.id_ticket,
        "ids_order_units": ticket.unit_ids,
        "id_buyer": ticket.id_buyer,
        "ts_created_iso": wire_time(ticket.created),
        "ts_updated_iso": wire_time(ticket.updated),
        "status": ticket.status,
        "open_reason": ticket.open_reason,
        "topic": TICKET_TOPICS[ticket.open_reason],
        "is_seller_responsible": ticket.seller_responsible,
        "fulfillment_type": "fulfilled_by_merchant",
    }


def ticket_details_json(ticket: Ticket, orders: OrderBook) -> dict[str, Any]:
    units = [orders.unit(uid) for uid in ticket.unit_ids]
    order = orders.orders[units[0].id_order]
    listed = [unit_json(u, order) for u in units]
    return {
        **ticket_json(ticket),
        "messages": list(ticket.messages),
        "order_units": listed,
        "buyer": order.buyer,
        "product": listed[0]["product"],
        "files": [],
        "storefront": ticket.storefront,
    }


def invoice_json(invoice: Invoice) -> dict[str, Any]:
    return {
        "id_invoice": invoice.id_invoice,
        "id_order": invoice.id_order,
        "storefront": invoice.storefront,
        "is_marketplace_deemed_supplier": False,
        "original_name": invoice.original_name,
        "mime_type": invoice.mime_type,
        "url": f"https://sandbox.invalid/dynamic/files/order_invoices/{invoice.id_invoice}/",
        "ts_created_iso": wire_time(invoice.created),
    }
