"""The Plaza Offer API v2 sandbox: PUT /offers/v2/ behaves like bol's
(signature and clock check, all-or-nothing batches, upsert on EAN+Condition),
and a control API under /_sandbox/ lets tests look inside.

Everything on the wire is the sandbox's own reading of bol's documentation
(protocol.py, auth.py, wire.py, checks.py). It imports nothing from the
Plaza client, so the client's contract tests check the client against the
protocol rather than against itself."""

from collections.abc import Callable
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.plaza.auth import authentication_error
from sandbox.plaza.checks import check_offer
from sandbox.plaza.protocol import CONTENT_TYPE, EXPORT_PATH, MAX_BODY_BYTES, UPSERT_PATH, XSD_ERROR
from sandbox.plaza.state import PlazaState, RequestRecord, StoredOffer
from sandbox.plaza.wire import (
    ErrorEntry,
    MalformedRequest,
    errors_document,
    offer_file_document,
    read_upsert_request,
    service_error_document,
)


def _service_error(status: int, error: ErrorEntry) -> Response:
    return Response(service_error_document(error), status_code=status, media_type=CONTENT_TYPE)


def _path_as_sent(request: Request) -> str:
    """The path the client signed: as it was on the wire, not decoded."""
    raw: bytes | None = request.scope.get("raw_path")
    if raw is None:
        return request.url.path
    return raw.decode("latin-1").split("?", 1)[0]


async def _body_within(request: Request, limit: int) -> bytes | None:
    """The body, or None once it proves longer than `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


def create_app(
    public_key: str = "sandbox",
    private_key: str = "sandbox",
    known_eans: set[str] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Starlette:
    state = PlazaState(frozenset(known_eans) if known_eans is not None else None)
    now = clock or (lambda: datetime.now(UTC))

    async def answer_upsert(request: Request) -> tuple[Response, int]:
        headers = request.headers
        content_type = headers.get("content-type", "")
        refusal = authentication_error(
            request.method,
            _path_as_sent(request),
            content_type,
            headers.get("x-bol-date"),
            headers.get("x-bol-authorization"),
            public_key,
            private_key,
            now(),
        )
        if refusal:
            return _service_error(401, refusal), 0
        if content_type.split(";", 1)[0].strip().lower() != CONTENT_TYPE:
            return _service_error(400, ErrorEntry(XSD_ERROR, f"Content-Type must be {CONTENT_TYPE}")), 0
        body = await _body_within(request, MAX_BODY_BYTES)
        if body is None:
            return _service_error(413, ErrorEntry(XSD_ERROR, f"the body is larger than {MAX_BODY_BYTES} bytes")), 0
        try:
            received = read_upsert_request(body)
        except MalformedRequest as exc:
            return _service_error(400, ErrorEntry(XSD_ERROR, str(exc))), 0
        accepted: list[StoredOffer] = []
        errors: list[ErrorEntry] = []
        for offer in received:
            stored, problems = check_offer(offer, state.known_eans)
            errors += problems
            if stored is not None:
                accepted.append(stored)
        if errors:
            # As at bol: one invalid offer and none of the batch is stored.
            return Response(errors_document(errors), status_code=400, media_type=CONTENT_TYPE), len(received)
        applied = now()
        for stored in accepted:
            state.accept(stored, applied)
        return Response(status_code=202), len(received)

    async def upsert(request: Request) -> Response:
        response, offers = await answer_upsert(request)
        state.requests.append(RequestRecord(offers=offers, status=response.status_code))
        return response

    async def prepare_export(request: Request) -> Response:
        refusal = authentication_error(
            request.method,
            _path_as_sent(request),
            request.headers.get("content-type", ""),
            request.headers.get("x-bol-date"),
            request.headers.get("x-bol-authorization"),
            public_key,
            private_key,
            now(),
        )
        if refusal:
            return _service_error(401, refusal)
        url = f"{str(request.base_url).rstrip('/')}{EXPORT_PATH}/offers.csv"
        return Response(offer_file_document(url), status_code=200, media_type=CONTENT_TYPE)

    async def list_offers(_: Request) -> JSONResponse:
        return JSONResponse([offer.as_json() for offer in state.offers.values()])

    async def list_requests(_: Request) -> JSONResponse:
        return JSONResponse(
            {"count": len(state.requests), "requests": [record.model_dump() for record in state.requests]}
        )

    async def stock_history(_: Request) -> JSONResponse:
        return JSONResponse(
            {ean: [entry.model_dump(mode="json") for entry in entries] for ean, entries in state.stock_history.items()}
        )

    async def reset(_: Request) -> Response:
        state.reset()
        return Response(status_code=204)

    app = Starlette(
        routes=[
            Route(UPSERT_PATH, upsert, methods=["PUT"]),
            Route(EXPORT_PATH, prepare_export, methods=["GET"]),
            Route("/_sandbox/offers", list_offers, methods=["GET"]),
            Route("/_sandbox/requests", list_requests, methods=["GET"]),
            Route("/_sandbox/stock-history", stock_history, methods=["GET"]),
            Route("/_sandbox/reset", reset, methods=["POST"]),
        ]
    )
    app.state.plaza = state
    return app
