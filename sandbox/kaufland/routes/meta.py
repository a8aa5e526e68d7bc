"""GET /carriers and GET /status/ping."""

from typing import Any

from sandbox.kaufland.gateway import ApiCall, api_route


def carriers(call: ApiCall) -> tuple[int, dict[str, Any]]:
    listed = [{"name": name, "isHauler": hauler} for name, hauler in call.sandbox.config.carriers]
    return 200, {"data": {"carriers": listed}}


def ping(call: ApiCall) -> tuple[int, dict[str, Any]]:
    return 200, {"data": {"message": "pong"}}


routes = [api_route("GET", "/carriers", carriers), api_route("GET", "/status/ping", ping)]
