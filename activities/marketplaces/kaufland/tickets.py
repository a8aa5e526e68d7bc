"""Kaufland tickets (buyer messages). GET /tickets lists a ticket's order
units, not its order, and no messages; the ticket itself
(`?embedded=messages,order_units`) has both. So reads list the open tickets
(for one order: the buyer's), keep the ones that can matter, and read only
those. Answers go to POST /tickets/{id}/messages."""

import re
from datetime import datetime
from typing import Any

from pydantic import Field

from activities.marketplaces.kaufland import ids
from activities.marketplaces.kaufland.client import KauflandHttp
from activities.marketplaces.kaufland.orders import KauflandOrders
from activities.marketplaces.kaufland.pages import listed
from activities.marketplaces.kaufland.wire import OrderUnit, Wire
from domain.errors import BusinessError, Violation
from domain.order.aftersales import Ticket, TicketMessage

# Kaufland's ticket ids: "001" and digits (TicketID in the spec).
TICKET_ID = re.compile(r"001[0-9]{1,29}")
MAX_TEXT = 65535
TICKETS_PAGE = 30  # GET /tickets pages at most 30 (100 elsewhere)


class Author(Wire):
    role: str = ""


class WireMessage(Wire):
    author: Author = Field(default_factory=Author)
    text: str = ""
    ts_created_iso: datetime


class ListedTicket(Wire):
    id_ticket: str
    ids_order_units: list[int] = Field(default_factory=list)
    ts_created_iso: datetime
    ts_updated_iso: datetime | None = None
    status: str
    open_reason: str | None = None
    is_seller_responsible: bool = True


class TicketDetails(ListedTicket):
    messages: list[WireMessage] = Field(default_factory=list)
    order_units: list[OrderUnit] = Field(default_factory=list)


def ticket_id(value: str) -> str:
    if not TICKET_ID.fullmatch(value):
        raise ids.InvalidKauflandId(f"id_ticket {value[:40]!r} is not in Kaufland's ticket id format (001 and digits)")
    return value


class KauflandTickets:
    def __init__(self, http: KauflandHttp, orders: KauflandOrders, storefront: str):
        self.http = http
        self.orders = orders
        self.storefront = storefront

    async def open_tickets(self, id_order: str | None = None, opened_before: datetime | None = None) -> list[Ticket]:
        params: dict[str, Any] = {"status": "opened", "storefront": self.storefront}
        units: set[int] | None = None
        if id_order is not None:
            details = await self.orders.details(id_order)
            units = {u.id_order_unit for u in details.order_units}
            if details.buyer and details.buyer.id_buyer:
                params["id_buyer"] = details.buyer.id_buyer
        found: list[Ticket] = []
        async for item in listed(self.http, "/tickets", params, limit=TICKETS_PAGE):
            listed_ticket = ListedTicket.model_validate(item)
            if units is not None and not units & set(listed_ticket.ids_order_units):
                continue
            if opened_before is not None and listed_ticket.ts_created_iso > opened_before:
                continue
            if units is None and not listed_ticket.is_seller_responsible:
                continue  # the overdue check: nothing asked of the seller
            found.append(await self._ticket(listed_ticket.id_ticket, id_order))
        return found

    async def _ticket(self, id_ticket: str, id_order: str | None) -> Ticket:
        data = await self.http.data(
            f"/tickets/{ticket_id(id_ticket)}", params={"embedded": ["messages", "order_units"]}
        )
        details = TicketDetails.model_validate(data)
        order = id_order or next((u.id_order for u in details.order_units), "")
        return Ticket(
            ticket_id=details.id_ticket,
            marketplace_order_id=ids.order_id(order),
            reason=details.open_reason or "",
            opened_at=details.ts_created_iso,
            seller_must_act=details.is_seller_responsible,
            messages=[
                TicketMessage(from_buyer=m.author.role == "buyer", text=m.text, at=m.ts_created_iso)
                for m in details.messages
            ],
        )

    async def reply(self, id_ticket: str, text: str) -> None:
        if not 1 <= len(text) <= MAX_TEXT:
            raise BusinessError(
                f"a ticket message is 1 to {MAX_TEXT} characters",
                violations=[Violation(name="text", reason=f"{len(text)} characters")],
            )
        await self.http.call(
            "POST", f"/tickets/{ticket_id(id_ticket)}/messages", json_body={"text": text, "interim_notice": False}
        )
