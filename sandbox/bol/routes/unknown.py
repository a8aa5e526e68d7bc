"""Any other path under /retailer or /shared: a bol 404 Problem, after the
same token, media-type and rate-limit checks as a real endpoint."""

from starlette.routing import Route

from sandbox.bol.gateway import ApiCall, Reply, gateway
from sandbox.bol.problems import not_found

ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def unknown_endpoint(call: ApiCall) -> Reply:
    raise not_found(f"{call.method} {call.path}")


routes = [
    Route(f"/{api}/{{rest:path}}", gateway("*", unknown_endpoint), methods=ALL_METHODS)
    for api in ("retailer", "shared")
]
