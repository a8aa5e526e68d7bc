"""Push subscriptions: GET/POST /subscriptions, GET/DELETE /subscriptions/{id}."""

from typing import Any

from sandbox.kaufland.gateway import ApiCall, api_route
from sandbox.kaufland.problems import invalid
from sandbox.kaufland.routes.orders import STOREFRONTS
from sandbox.kaufland.subscriptions import EVENTS


def create(call: ApiCall) -> tuple[int, dict[str, Any]]:
    storefront = call.query("storefront")
    if storefront not in STOREFRONTS:
        raise invalid("storefront", "is required: one of " + ", ".join(sorted(STOREFRONTS)))
    body = call.json()
    with call.sandbox.lock:
        return 201, {"data": call.sandbox.subscriptions.create(body, storefront).to_json()}


def listed(call: ApiCall) -> tuple[int, dict[str, Any]]:
    event = call.query("event_name")
    if event is not None and event not in EVENTS:
        raise invalid("event_name", f"unknown event {event!r}")
    limit = call.query_int("limit", 30, 0, 30)
    offset = call.query_int("offset", 0, 0, 2**31 - 1)
    with call.sandbox.lock:
        found = call.sandbox.subscriptions.listed(event, call.query("storefront"))
        page = [s.to_json() for s in found[offset : offset + limit]]
        return 200, {"data": page, "pagination": {"offset": offset, "limit": limit, "total": len(found)}}


def get(call: ApiCall) -> tuple[int, dict[str, Any]]:
    with call.sandbox.lock:
        return 200, {"data": call.sandbox.subscriptions.get(call.path_int("id_subscription")).to_json()}


def delete(call: ApiCall) -> tuple[int, None]:
    with call.sandbox.lock:
        call.sandbox.subscriptions.delete(call.path_int("id_subscription"))
    return 204, None


routes = [
    api_route("GET", "/subscriptions", listed),
    api_route("POST", "/subscriptions", create),
    api_route("GET", "/subscriptions/{id_subscription}", get),
    api_route("DELETE", "/subscriptions/{id_subscription}", delete),
]
