"""Orders and order units: GET /orders, /orders/{id_order},
/order-units, /order-units/{id_order_unit}; PATCH .../send, .../cancel,
.../fulfil, .../refund."""

from typing import Any

from sandbox.kaufland.gateway import ApiCall, api_route
from sandbox.kaufland.orders import order_json, unit_json, wire_time
from sandbox.kaufland.problems import invalid

STATUSES = frozenset(
    {"cancelled", "need_to_be_sent", "open", "received", "returned", "returned_paid", "sent", "sent_and_autopaid"}
)
STOREFRONTS = frozenset({"de", "cz", "sk", "pl", "at", "fr", "it"})


def _storefront(call: ApiCall) -> str | None:
    storefront = call.query("storefront")
    if storefront is not None and storefront not in STOREFRONTS:
        raise invalid("storefront", f"unknown storefront {storefront!r}")
    return storefront


def _page(call: ApiCall, items: list[Any]) -> dict[str, Any]:
    limit = call.query_int("limit", 30, 1, 100)
    offset = call.query_int("offset", 0, 0, 2**31 - 1)
    return {
        "data": items[offset : offset + limit],
        "pagination": {"offset": offset, "limit": limit, "total": len(items)},
    }


def list_units(call: ApiCall) -> tuple[int, dict[str, Any]]:
    statuses = call.query_list("status")
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise invalid("status", f"unknown status {unknown[0]!r}")
    sort = call.query("sort") or "ts_created:desc"
    if sort not in ("ts_created:desc", "ts_updated:desc"):
        raise invalid("sort", "must be ts_created:desc or ts_updated:desc")
    book = call.sandbox.order_book
    with call.sandbox.lock:
        units = book.listed(
            statuses,
            call.query_time("ts_updated_from_iso"),
            call.query_time("ts_created_from_iso"),
            sort,
            _storefront(call),
        )
        return 200, _page(call, [unit_json(u, book.orders[u.id_order]) for u in units])


def get_unit(call: ApiCall) -> tuple[int, dict[str, Any]]:
    book = call.sandbox.order_book
    with call.sandbox.lock:
        unit = book.unit(call.path_int("id_order_unit"))
        return 200, {"data": unit_json(unit, book.orders[unit.id_order])}


def list_orders(call: ApiCall) -> tuple[int, dict[str, Any]]:
    book = call.sandbox.order_book
    created_from = call.query_time("ts_created_from_iso")
    updated_from = call.query_time("ts_units_updated_from_iso")
    storefront = _storefront(call)
    with call.sandbox.lock:
        rows = []
        for order in sorted(book.orders.values(), key=lambda o: o.created, reverse=True):
            units = [book.units[uid] for uid in order.unit_ids]
            updated = max(u.updated for u in units)
            if (created_from and order.created < created_from) or (updated_from and updated < updated_from):
                continue
            if storefront and order.storefront != storefront:
                continue
            rows.append(
                {
                    "id_order": order.id_order,
                    "order_units_count": len(units),
                    "ts_created_iso": wire_time(order.created),
                    "ts_units_updated_iso": wire_time(updated),
                    "is_marketplace_deemed_supplier": False,
                    "storefront": order.storefront,
                }
            )
        return 200, _page(call, rows)


def get_order(call: ApiCall) -> tuple[int, dict[str, Any]]:
    book = call.sandbox.order_book
    with call.sandbox.lock:
        data = order_json(book.order(call.path_str("id_order")), book)
        if "order_invoices" in {p for v in call.query_list("embedded") for p in v.split(",")}:
            data["order_invoices"] = call.sandbox.after_sales.order_invoices(data["id_order"])
        return 200, {"data": data}


def send_unit(call: ApiCall) -> tuple[int, None]:
    body = call.json()
    carrier, tracking = body.get("carrier_code"), body.get("tracking_numbers")
    if not isinstance(carrier, str) or not carrier:
        raise invalid("carrier_code", "is required")
    if not isinstance(tracking, str):
        raise invalid("tracking_numbers", "is required")
    sandbox = call.sandbox
    with sandbox.lock:
        sandbox.order_book.send(
            call.path_int("id_order_unit"), carrier, tracking, sandbox.carrier_names(), sandbox.now()
        )
    return 204, None


def cancel_unit(call: ApiCall) -> tuple[int, None]:
    reason = call.json().get("reason")
    if not isinstance(reason, str):
        raise invalid("reason", "is required")
    sandbox = call.sandbox
    with sandbox.lock:
        sandbox.order_book.cancel(call.path_int("id_order_unit"), reason, sandbox.now())
    return 204, None


def refund_unit(call: ApiCall) -> tuple[int, None]:
    body = call.json()
    unknown = sorted(set(body) - {"amount", "reason"})
    if unknown:
        raise invalid(unknown[0], "is not a field of a refund")
    amount, reason = body.get("amount"), body.get("reason")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 1:
        raise invalid("amount", "must be a positive integer (cents)")
    if not isinstance(reason, str):
        raise invalid("reason", "is required")
    sandbox = call.sandbox
    with sandbox.lock:
        sandbox.order_book.refund(call.path_int("id_order_unit"), amount, reason)
    return 204, None


def fulfil_unit(call: ApiCall) -> tuple[int, None]:
    sandbox = call.sandbox
    with sandbox.lock:
        unit = sandbox.order_book.unit(call.path_int("id_order_unit"))
        if unit.status == "open":
            unit.status, unit.updated = "need_to_be_sent", sandbox.now()
    return 204, None


def add_shipment(call: ApiCall) -> tuple[int, None]:
    """POST /shipments: another parcel (carrier and tracking) for a unit already sent."""
    body = call.json()
    unknown = sorted(set(body) - {"id_order_unit", "shipment_information"})
    if unknown:
        raise invalid(unknown[0], "is not a field of a shipment")
    unit_id, info = body.get("id_order_unit"), body.get("shipment_information")
    if not isinstance(unit_id, int) or isinstance(unit_id, bool):
        raise invalid("id_order_unit", "must be an integer")
    if not isinstance(info, dict):
        raise invalid("shipment_information", "is required")
    carrier, tracking = info.get("carrier_code"), info.get("tracking_number")
    if not isinstance(carrier, str) or not isinstance(tracking, str):
        raise invalid("shipment_information", "carrier_code and tracking_number are required strings")
    sandbox = call.sandbox
    with sandbox.lock:
        sandbox.order_book.add_shipment(unit_id, carrier, tracking, sandbox.carrier_names())
    return 204, None


routes = [
    api_route("GET", "/orders", list_orders),
    api_route("GET", "/orders/{id_order}", get_order),
    api_route("GET", "/order-units", list_units),
    api_route("GET", "/order-units/{id_order_unit}", get_unit),
    api_route("PATCH", "/order-units/{id_order_unit}/send", send_unit),
    api_route("PATCH", "/order-units/{id_order_unit}/cancel", cancel_unit),
    api_route("PATCH", "/order-units/{id_order_unit}/fulfil", fulfil_unit),
    api_route("PATCH", "/order-units/{id_order_unit}/refund", refund_unit),
    api_route("POST", "/shipments", add_shipment),
]
