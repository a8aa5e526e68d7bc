"""Everything a /retailer or /shared request goes through around its
handler: request faults, the endpoint's rate budget, the bearer token and
the Accept header; then the handler (which reads its JSON body through
ApiCall, checking the Content-Type), its errors turned into Problems, and
the headers every response carries.

Most endpoints answer JSON; a few (the offer export) answer a document in
another media type, which is then the one Accept must name. Problems are
JSON everywhere."""

import asyncio
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.bol.faults import HOLD_FAULTS, REQUEST_FAULTS, RESPONSE_FAULTS, Fault, garbled
from sandbox.bol.problems import (
    INVALID,
    ProblemError,
    bad_request,
    expired_jwt,
    from_validation_error,
    instance_uri,
    too_many_requests,
)
from sandbox.bol.state import BolSandbox
from sandbox.bol.wire import Problem, Violation, wire_time

MEDIA_TYPE = "application/vnd.retailer.v10+json"
CSV_MEDIA_TYPE = "application/vnd.retailer.v10+csv"
PDF_MEDIA_TYPE = "application/vnd.retailer.v10+pdf"

M = TypeVar("M", bound=BaseModel)


@dataclass
class Document:
    """A binary answer in the endpoint's own media type (a label's PDF), with
    the metadata bol sends as headers."""

    content: bytes
    headers: dict[str, str]


# A dict is sent as JSON; a str or Document is a document in the endpoint's own media type.
Reply = tuple[int, dict[str, Any] | str | Document]


@dataclass
class ApiCall:
    request: Request
    sandbox: BolSandbox
    raw_body: bytes

    @property
    def method(self) -> str:
        return self.request.method

    @property
    def path(self) -> str:
        return self.request.url.path

    @property
    def base_url(self) -> str:
        return base_url(self.request)

    def path_param(self, name: str) -> str:
        return str(self.request.path_params[name.replace("-", "_")])

    def query_as(self, model: type[M]) -> M:
        return _parsed(model, dict(self.request.query_params))

    def body_as(self, model: type[M]) -> M:
        content_type = self.request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != MEDIA_TYPE:
            raise ProblemError(
                415, "Unsupported Media Type", f"Content type '{content_type}' is not supported. Use {MEDIA_TYPE}."
            )
        return _parsed(model, _json_body(self.raw_body))


Handler = Callable[[ApiCall], Reply]


def api_route(method: str, template: str, handler: Handler, media_type: str = MEDIA_TYPE) -> Route:
    """A route for a spec path like "/retailer/orders/{order-id}"; its rate
    budget is keyed "METHOD template", as BolSandboxConfig.rate_limits is.
    `media_type` is what the endpoint answers, and so what Accept must name."""
    path = re.sub(r"\{([^}]+)\}", lambda m: "{" + m.group(1).replace("-", "_") + "}", template)
    return Route(path, gateway(f"{method} {template}", handler, media_type), methods=[method])


def gateway(endpoint: str, handler: Handler, media_type: str = MEDIA_TYPE) -> Callable[[Request], Awaitable[Response]]:
    async def serve(request: Request) -> Response:
        sandbox: BolSandbox = request.app.state.sandbox
        raw = await request.body()
        status, body, headers = await _handle(request, raw, sandbox, endpoint, handler, media_type)
        if isinstance(body, Document):
            response = Response(body.content, status, {**headers, **body.headers}, media_type=media_type)
        elif isinstance(body, str):
            response = Response(body, status, headers, media_type=media_type)
        else:
            response = Response(json.dumps(body), status, headers, media_type=MEDIA_TYPE)
        return logged(request, raw, sandbox, response)

    return serve


def logged(request: Request, raw: bytes, sandbox: BolSandbox, response: Response) -> Response:
    request_id = str(uuid.uuid4())
    response.headers["X-Request-ID"] = request_id
    sandbox.record(
        {
            # Sandbox time, so tests on a fake clock can see how requests were spaced.
            "at": wire_time(sandbox.now()),
            "method": request.method,
            "path": request.url.path,
            "query": dict(parse_qsl(request.url.query)),
            "status": response.status_code,
            "body": _readable(raw),
            "requestId": request_id,
        }
    )
    return response


async def request_fault(request: Request, sandbox: BolSandbox) -> tuple[int, dict[str, Any], dict[str, str]] | None:
    """The response an injected fault forces, if any. Slow and expire_token
    faults only delay or spoil the request, which then goes on."""
    fault = sandbox.take_fault(request.method, request.url.path, REQUEST_FAULTS)
    if fault is None:
        return None
    if fault.kind == "slow" and fault.delay_seconds:
        await asyncio.sleep(fault.delay_seconds)
    if fault.kind == "expire_token":
        sandbox.revoke_token(_bearer(request) or "")
    if fault.kind == "status":
        return fault.status, _fault_problem(fault, request), {}
    if fault.kind == "rate_limit":
        headers = {"X-RateLimit-Remaining": "0"}
        if fault.retry_after is not None:
            headers["Retry-After"] = str(fault.retry_after)
        return 429, too_many_requests(fault.retry_after), headers
    return None


def base_url(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


async def _handle(
    request: Request, raw: bytes, sandbox: BolSandbox, endpoint: str, handler: Handler, media_type: str
) -> tuple[int, dict[str, Any] | str | Document, dict[str, str]]:
    sandbox.settle()
    budget = sandbox.take_budget(endpoint)
    headers = budget.headers()
    forced = await request_fault(request, sandbox)
    if forced is not None:
        status, body, extra = forced
        return status, body, {**headers, **extra}
    if not budget.allowed:
        return 429, too_many_requests(budget.reset_seconds), {**headers, "Retry-After": str(budget.reset_seconds)}
    refused = _unauthorized(request, sandbox)
    if refused is not None:
        return 401, refused, headers
    try:
        _negotiate(request, media_type)
        status, payload = handler(ApiCall(request, sandbox, raw))
    except ProblemError as problem:
        status, payload = problem.status, problem.body(instance=_instance(request))
    if status == 200 and isinstance(payload, dict):
        _garble(request, sandbox, payload)
    if status < 300:
        await _held_back(request, raw, sandbox)
    return status, payload, headers


async def _held_back(request: Request, raw: bytes, sandbox: BolSandbox) -> None:
    """Done, but the answer waits while a hold fault says so."""
    fault = sandbox.take_fault(request.method, request.url.path, HOLD_FAULTS)
    if fault is None:
        return
    hold_id = sandbox.hold(
        {"faultId": fault.id, "method": request.method, "path": request.url.path, "body": _readable(raw)}
    )
    # Polled: holds are released from any thread or event loop, and an asyncio.Event belongs to one.
    while sandbox.is_held(hold_id):  # noqa: ASYNC110
        await asyncio.sleep(0.02)


def _garble(request: Request, sandbox: BolSandbox, page: dict[str, Any]) -> None:
    # Peeked, not taken: a malformed fault is used up only on the page that lists its item.
    for fault in sandbox.peek_faults(request.method, request.url.path, RESPONSE_FAULTS):
        if fault.item_id and garbled(page, fault.item_id):
            sandbox.use_fault(fault.id)


def _unauthorized(request: Request, sandbox: BolSandbox) -> dict[str, Any] | None:
    token = _bearer(request)
    if token is None:
        return _problem(request, 401, "Unauthorized", "Full authentication is required: send a bearer token.")
    rejection = sandbox.check_token(token)
    if rejection is None:
        return None
    if rejection.expired_at is not None:
        return expired_jwt(rejection.expired_at, sandbox.now())
    return _problem(request, 401, "Invalid JWT", "The access token is not valid. Request a new one at /token.")


def _negotiate(request: Request, media_type: str) -> None:
    accepted = {part.split(";")[0].strip().lower() for part in request.headers.get("accept", "").split(",")}
    if media_type not in accepted:
        raise ProblemError(406, "Not Acceptable", f"The requested media type is not supported. Accept: {media_type}.")


def _json_body(raw: bytes) -> Any:
    if not raw.strip():
        raise bad_request([Violation(name="body", reason=f"{INVALID}: 'null'. A request body is required.")])
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise bad_request([Violation(name="body", reason=f"{INVALID}: the body is not valid JSON ({exc}).")]) from exc


def _parsed(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc) from exc


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def _instance(request: Request) -> str:
    return instance_uri(base_url(request), request.url.path)


def _problem(request: Request, status: int, title: str, detail: str) -> dict[str, Any]:
    return Problem(title=title, status=status, detail=detail, instance=_instance(request)).to_json()


def _fault_problem(fault: Fault, request: Request) -> dict[str, Any]:
    phrase = HTTPStatus(fault.status).phrase
    return _problem(request, fault.status, phrase, f"{phrase} (sandbox fault {fault.id}).")


def _readable(raw: bytes) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text
