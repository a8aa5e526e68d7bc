"""The Plaza Offer API v2 sandbox: PUT /offers/v2/ behaves like bol's
(signature and clock check, all-or-nothing batches, upsert on EAN+Condition),
and a control API under /_sandbox/ lets tests look inside.

Request bodies go through the same hardened parser as everything else: a
sandbox is still a server that reads untrusted XML."""

from collections.abc import Callable
from datetime import UTC, datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from activities.marketplaces.plaza.safexml import PlazaXmlError
from activities.marketplaces.plaza.xml import PlazaError, build_errors, build_service_error, parse_upsert_request
from sandbox.plaza.auth import authentication_error
from sandbox.plaza.checks import offer_errors
from sandbox.plaza.state import PlazaState, RequestRecord

XML = "application/xml"


def create_app(
    public_key: str = "sandbox",
    private_key: str = "sandbox",
    known_eans: set[str] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Starlette:
    state = PlazaState(frozenset(known_eans) if known_eans is not None else None)
    now = clock or (lambda: datetime.now(UTC))

    def service_error(status: int, error: PlazaError) -> Response:
        return Response(build_service_error(error), status_code=status, media_type=XML)

    async def answer_upsert(request: Request) -> tuple[Response, int]:
        refusal = authentication_error(
            request.method, request.url.path, request.headers, public_key, private_key, now()
        )
        if refusal:
            return service_error(401, refusal), 0
        try:
            offers = parse_upsert_request(await request.body())
        except PlazaXmlError as exc:
            return service_error(400, PlazaError(code="41100", message=str(exc))), 0
        errors = [error for offer in offers for error in offer_errors(offer, state.known_eans)]
        if errors:
            # As at bol: one invalid offer and none of the batch is stored.
            return Response(build_errors(errors), status_code=400, media_type=XML), len(offers)
        for offer in offers:
            state.offers[offer.key] = offer
        return Response(status_code=202), len(offers)

    async def upsert(request: Request) -> Response:
        response, offers = await answer_upsert(request)
        state.requests.append(RequestRecord(offers=offers, status=response.status_code))
        return response

    async def list_offers(_: Request) -> JSONResponse:
        return JSONResponse([offer.model_dump(mode="json", by_alias=True) for offer in state.offers.values()])

    async def list_requests(_: Request) -> JSONResponse:
        return JSONResponse(
            {"count": len(state.requests), "requests": [record.model_dump() for record in state.requests]}
        )

    async def reset(_: Request) -> Response:
        state.reset()
        return Response(status_code=204)

    app = Starlette(
        routes=[
            Route("/offers/v2/", upsert, methods=["PUT"]),
            Route("/_sandbox/offers", list_offers, methods=["GET"]),
            Route("/_sandbox/requests", list_requests, methods=["GET"]),
            Route("/_sandbox/reset", reset, methods=["POST"]),
        ]
    )
    app.state.plaza = state
    return app
