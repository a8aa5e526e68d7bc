"""Everything a /v2 request goes through around its handler: injected
request faults, Kaufland's global rate budget, the signature check; then the
handler, its KauflandProblems turned into ErrorResponses, response faults
(a garbled listed unit) and holds. Every request is recorded."""

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.bol.faults import HOLD_FAULTS, REQUEST_FAULTS, RESPONSE_FAULTS
from sandbox.kaufland.problems import KauflandProblem, invalid, too_many_requests, unauthorized
from sandbox.kaufland.signature import matches, signed_url
from sandbox.kaufland.state import KauflandSandbox

PREFIX = "/v2"


@dataclass
class ApiCall:
    request: Request
    sandbox: KauflandSandbox
    raw_body: bytes

    def path_int(self, name: str) -> int:
        value = str(self.request.path_params[name])
        if not value.isdigit():
            raise invalid(name, f"{value!r} is not an integer")
        return int(value)

    def path_str(self, name: str) -> str:
        return str(self.request.path_params[name])

    def query_list(self, name: str) -> list[str]:
        return parse_qs(self.request.url.query).get(name, [])

    def query(self, name: str) -> str | None:
        return self.request.query_params.get(name)

    def query_int(self, name: str, default: int, low: int, high: int) -> int:
        raw = self.query(name)
        if raw is None:
            return default
        if not raw.lstrip("-").isdigit() or not low <= int(raw) <= high:
            raise invalid(name, f"must be an integer from {low} to {high}")
        return int(raw)

    def query_time(self, name: str) -> datetime | None:
        raw = self.query(name)
        if raw is None:
            return None
        try:
            return datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise invalid(name, "must be an ISO-8601 date-time") from None

    def json(self) -> dict[str, Any]:
        if self.request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            raise invalid("Content-Type", "must be application/json")
        try:
            body = json.loads(self.raw_body)
        except ValueError:
            raise invalid("body", "the body is not valid JSON") from None
        if not isinstance(body, dict):
            raise invalid("body", "must be a JSON object")
        return body


# -> (status, JSON body or None for 204)
Handler = Callable[[ApiCall], tuple[int, dict[str, Any] | None]]


def api_route(method: str, template: str, handler: Handler) -> Route:
    """A route for a spec path like "/order-units/{id_order_unit}"."""
    return Route(PREFIX + template, _gateway(handler), methods=[method])


def _gateway(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def serve(request: Request) -> Response:
        sandbox: KauflandSandbox = request.app.state.sandbox
        raw = await request.body()
        status, body = await _handle(request, raw, sandbox, handler)
        response = (
            Response(status_code=status)
            if body is None
            else Response(json.dumps(body), status, media_type="application/json")
        )
        sandbox.record(
            {
                "at": sandbox.now().isoformat(),
                "method": request.method,
                "path": request.url.path,
                "query": dict(parse_qsl(request.url.query)),
                "status": status,
                "body": _readable(raw),
            }
        )
        return response

    return serve


async def _handle(
    request: Request, raw: bytes, sandbox: KauflandSandbox, handler: Handler
) -> tuple[int, dict[str, Any] | None]:
    path = request.url.path
    fault = sandbox.take_fault(request.method, path, REQUEST_FAULTS)
    if fault is not None:
        if fault.kind == "slow" and fault.delay_seconds:
            await asyncio.sleep(fault.delay_seconds)
        elif fault.kind == "status":
            phrase = HTTPStatus(fault.status).phrase
            return fault.status, KauflandProblem(fault.status, f"{phrase} (sandbox fault {fault.id})").body()
        elif fault.kind == "rate_limit":
            return 429, too_many_requests().body()
    if not sandbox.take_budget():
        return 429, too_many_requests().body()
    try:
        _check_signature(request, raw, sandbox)
        status, payload = handler(ApiCall(request, sandbox, raw))
    except KauflandProblem as problem:
        return problem.status, problem.body()
    if status == 200 and payload is not None:
        _garble(request, sandbox, payload)
    if status < 300:
        await _held_back(request, raw, sandbox)
    return status, payload


def _check_signature(request: Request, raw: bytes, sandbox: KauflandSandbox) -> None:
    headers = request.headers
    client_key = headers.get("shop-client-key")
    timestamp = headers.get("shop-timestamp")
    given = headers.get("shop-signature")
    if not client_key or not timestamp or not given:
        raise unauthorized(
            "/problems/missing-or-invalid-request-header",
            "Request authentication headers are corrupt: Shop-Client-Key, Shop-Timestamp and Shop-Signature are required",
        )
    if client_key != sandbox.config.client_key:
        raise unauthorized(
            "/problems/invalid-credentials", "Request authentication headers are corrupt: unknown client key"
        )
    if not re.fullmatch(r"\d{1,12}", timestamp):
        raise unauthorized("/problems/missing-or-invalid-request-header", "Shop-Timestamp must be Unix seconds")
    if abs(sandbox.now().timestamp() - int(timestamp)) > sandbox.config.max_clock_skew_seconds:
        raise unauthorized("/problems/unauthorized", "Request authentication headers are corrupt: stale timestamp")
    if not matches(sandbox.config.secret_key, request.method, signed_url(request), raw, timestamp, given):
        raise unauthorized(
            "/problems/corrupted-signature", "Request authentication headers are corrupt: wrong signature"
        )


def _garble(request: Request, sandbox: KauflandSandbox, page: dict[str, Any]) -> None:
    for fault in sandbox.peek_faults(request.method, request.url.path, RESPONSE_FAULTS):
        items = page.get("data")
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and str(item.get("id_order_unit", item.get("id_order"))) == fault.item_id:
                for key in list(item):
                    if key not in ("id_order_unit", "id_order"):
                        item[key] = "?"
                sandbox.use_fault(fault.id)


async def _held_back(request: Request, raw: bytes, sandbox: KauflandSandbox) -> None:
    fault = sandbox.take_fault(request.method, request.url.path, HOLD_FAULTS)
    if fault is None:
        return
    hold_id = sandbox.hold(
        {"faultId": fault.id, "method": request.method, "path": request.url.path, "body": _readable(raw)}
    )
    while sandbox.is_held(hold_id):  # noqa: ASYNC110
        await asyncio.sleep(0.02)


def _readable(raw: bytes) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text
