"""Return units, tickets and the seller's invoices:
GET /return-units, GET /return-units/{id}, PATCH /return-units/{id}/accept|
reject|repair|clarify; GET /tickets, GET /tickets/{id}, POST
/tickets/{id}/messages; POST /order-invoices/{id_order}, GET /order-invoices."""

from typing import Any

from sandbox.kaufland.aftersales import (
    RETURN_UNIT_STATUSES,
    TICKET_STATUSES,
    invoice_json,
    return_unit_details_json,
    return_unit_json,
    ticket_details_json,
    ticket_json,
)
from sandbox.kaufland.gateway import ApiCall, api_route
from sandbox.kaufland.problems import invalid
from sandbox.kaufland.routes.orders import STOREFRONTS

TICKET_ID = r"001\d+"


def embedded(call: ApiCall) -> set[str]:
    """`embedded` repeated or comma-separated: clients send both."""
    return {part for value in call.query_list("embedded") for part in value.split(",") if part}


def _page(call: ApiCall, items: list[Any], maximum: int = 100) -> dict[str, Any]:
    limit = call.query_int("limit", 30, 1, maximum)
    offset = call.query_int("offset", 0, 0, 2**31 - 1)
    return {
        "data": items[offset : offset + limit],
        "pagination": {"offset": offset, "limit": limit, "total": len(items)},
    }


def _storefront(call: ApiCall) -> str | None:
    storefront = call.query("storefront")
    if storefront is not None and storefront not in STOREFRONTS:
        raise invalid("storefront", f"unknown storefront {storefront!r}")
    return storefront


# Returns.


def list_return_units(call: ApiCall) -> tuple[int, dict[str, Any]]:
    statuses = call.query_list("status")
    unknown = [s for s in statuses if s not in RETURN_UNIT_STATUSES]
    if unknown:
        raise invalid("status", f"unknown status {unknown[0]!r}")
    sandbox = call.sandbox
    with sandbox.lock:
        found = sandbox.after_sales.listed_returns(statuses, _storefront(call))
        return 200, _page(call, [return_unit_json(r) for r in found])


def get_return_unit(call: ApiCall) -> tuple[int, dict[str, Any]]:
    sandbox = call.sandbox
    with sandbox.lock:
        ret = sandbox.after_sales.return_unit(call.path_int("id_return_unit"))
        return 200, {"data": return_unit_details_json(ret, sandbox.order_book, sandbox.after_sales)}


def _return_action(verb: str) -> Any:
    def act(call: ApiCall) -> tuple[int, None]:
        message = None
        if verb in ("reject", "clarify"):
            message = call.json().get("message")
            if not isinstance(message, str) or not message.strip():
                raise invalid("message", "is required")
        sandbox = call.sandbox
        with sandbox.lock:
            sandbox.after_sales.act(call.path_int("id_return_unit"), verb, message, sandbox.order_book, sandbox.now())
        return 204, None

    return act


# Tickets.


def list_tickets(call: ApiCall) -> tuple[int, dict[str, Any]]:
    statuses = call.query_list("status")
    unknown = [s for s in statuses if s not in TICKET_STATUSES]
    if unknown:
        raise invalid("status", f"unknown status {unknown[0]!r}")
    raw_buyer = call.query("id_buyer")
    if raw_buyer is not None and not raw_buyer.isdigit():
        raise invalid("id_buyer", "must be an integer")
    storefronts = call.query_list("storefront")
    if any(s not in STOREFRONTS for s in storefronts):
        raise invalid("storefront", "unknown storefront")
    sandbox = call.sandbox
    with sandbox.lock:
        found = sandbox.after_sales.listed_tickets(
            statuses, int(raw_buyer) if raw_buyer else None, storefronts, call.query_time("ts_created_from_iso")
        )
        return 200, _page(call, [ticket_json(t) for t in found], maximum=30)


def get_ticket(call: ApiCall) -> tuple[int, dict[str, Any]]:
    sandbox = call.sandbox
    with sandbox.lock:
        ticket = sandbox.after_sales.ticket(call.path_str("id_ticket"))
        details = ticket_details_json(ticket, sandbox.order_book)
        # The spec marks every embeddable required (buyer and product not
        # nullable): the lists not asked for are there, empty.
        wanted = embedded(call)
        for key in ("messages", "order_units", "files"):
            if key not in wanted:
                details[key] = []
        return 200, {"data": details}


def add_ticket_message(call: ApiCall) -> tuple[int, None]:
    text = call.json().get("text")
    if not isinstance(text, str) or not 1 <= len(text) <= 65535:
        raise invalid("text", "must be 1 to 65535 characters")
    sandbox = call.sandbox
    with sandbox.lock:
        sandbox.after_sales.add_message(call.path_str("id_ticket"), "seller", text, sandbox.now())
    return 201, None


# Invoices.


def upload_invoice(call: ApiCall) -> tuple[int, dict[str, Any]]:
    body = call.json()
    sandbox = call.sandbox
    with sandbox.lock:
        invoice = sandbox.after_sales.add_invoice(call.path_str("id_order"), body, sandbox.order_book, sandbox.now())
        return 201, {"data": invoice_json(invoice)}


def list_invoices(call: ApiCall) -> tuple[int, dict[str, Any]]:
    storefront = _storefront(call)
    sandbox = call.sandbox
    with sandbox.lock:
        found = [i for i in sandbox.after_sales.invoices if storefront is None or i.storefront == storefront]
        return 200, _page(call, [invoice_json(i) for i in reversed(found)])


routes = [
    api_route("GET", "/return-units", list_return_units),
    api_route("GET", "/return-units/{id_return_unit}", get_return_unit),
    *(
        api_route("PATCH", f"/return-units/{{id_return_unit}}/{verb}", _return_action(verb))
        for verb in ("accept", "reject", "repair", "clarify")
    ),
    api_route("GET", "/tickets", list_tickets),
    api_route("GET", "/tickets/{id_ticket}", get_ticket),
    api_route("POST", "/tickets/{id_ticket}/messages", add_ticket_message),
    api_route("GET", "/order-invoices", list_invoices),
    api_route("POST", "/order-invoices/{id_order}", upload_invoice),
]
