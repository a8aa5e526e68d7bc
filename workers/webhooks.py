"""The webhook receiver: marketplaces push notifications here.

Beside bol's pushes, supplier portals push whole orders
(workers/supplier_webhook.py); GET /openapi.json describes both.

A push is only a hint (it can be forged, late, duplicated or lost): an ORDER
push starts that order's workflow — idempotently, by workflow id — and the
workflow fetches the order through the authenticated API before trusting
anything. A PROCESS_STATUS push makes a command waiting in this process
look its status up at once. Everything else is acknowledged and left to
polling.

Checks run cheapest first, and nothing is started until all have passed:
a source over its budget gets 429 (with Retry-After), an unknown channel
404, a body over the cap 413, a push bol did not sign 401, a malformed one
(or an id not in bol's format) 400 naming the field, a push for another
seller account 403. Only then is the order handed to Temporal: 202 once
Temporal has it, 503 when it could not take it in time, so bol delivers
the push again. Kaufland's notifications (unsigned, by a secret callback
URL) are received beside them: workers/kaufland_pushes.py. docs/webhooks.md
has the details."""

import asyncio
import contextlib
import logging
import math
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from pydantic import BaseModel, ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from activities.channels import UnknownChannel
from activities.intake import IntakeActivities
from activities.marketplaces.bol.adapter import BolAdapter
from activities.marketplaces.bol.ids import BolId
from activities.marketplaces.bol.push_signature import SIGNATURE_HEADER, BadPushSignature
from activities.supplier_intake import SupplierIntake
from domain.errors import MarketplaceError
from domain.intake import OrderChange
from workers.kaufland_pushes import kaufland_push_routes
from workers.request_body import read_capped
from workers.settings import WebhookSettings
from workers.source_limit import SourceLimit
from workers.supplier_webhook import supplier_routes

log = logging.getLogger(__name__)

# What a refused-for-now push tells bol to wait before delivering it again.
RETRY_AFTER_SECONDS = 30


class PushEvent(BaseModel):
    resource: str
    type: str | None = None
    resourceId: str  # noqa: N815  # bol's JSON field name, as sent


class BolPush(BaseModel):
    """bol's push notification (Retailer API subscriptions, WEBHOOK type)."""

    retailerId: int | str | None = None  # noqa: N815  # bol's JSON field name, as sent
    timestamp: str | None = None
    event: PushEvent


def create_webhook_app(
    intake: IntakeActivities, settings: WebhookSettings | None = None, extra_routes: list[BaseRoute] | None = None
) -> Starlette:
    """`extra_routes`: other senders' endpoints served beside bol's (the warehouse's)."""
    limits = settings or WebhookSettings()
    sources = SourceLimit(limits.requests_per_second, limits.burst)

    async def bol_push(request: Request) -> JSONResponse:
        wait = sources.admit(request.client.host if request.client else "-")
        if wait is not None:
            return _error(429, "too many requests from this address", retry_after=wait)
        channel = request.path_params["channel"]
        adapter = _bol_adapter(intake, channel)
        if adapter is None:
            return _error(404, f"unknown bol channel {channel!r}")
        body = await read_capped(request, limits.max_body_bytes)
        if body is None:
            return _error(413, f"body: longer than {limits.max_body_bytes} bytes")
        try:
            await adapter.push_keys.verify(body, request.headers.get(SIGNATURE_HEADER))
        except BadPushSignature as exc:
            return _error(401, f"not signed by bol: {exc}")
        except MarketplaceError as exc:
            log.warning("push for %s not checked, bol's signature keys are out of reach: %s", channel, exc)
            return _error(503, "bol's signature keys cannot be read now", retry_after=RETRY_AFTER_SECONDS)
        try:
            push = BolPush.model_validate_json(body)
        except ValidationError as exc:
            fields = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors())
            return _error(400, f"not a bol push notification: {fields}")
        refused = _other_account(adapter, push)
        if refused:
            return _error(403, refused)
        if push.event.resource == "PROCESS_STATUS":
            return _process_status(adapter, push.event)
        if push.event.resource != "ORDER":
            return JSONResponse({"ignored": push.event.resource}, status_code=202)
        order_id = push.event.resourceId
        if not BolId.ORDER.matches(order_id):
            return _error(400, f"event.resourceId: {order_id[:40]!r} is not a bol orderId ({BolId.ORDER.allowed})")
        change = OrderChange(marketplace_order_id=order_id, placed_at=_when(push), open=True)
        try:
            await asyncio.wait_for(intake.dispatch_order(channel, change), limits.handoff_timeout.total_seconds())
        except Exception:
            # Not lost: bol delivers it again, and polling finds the order anyway.
            log.exception("push for %s order %s not handed over", channel, order_id)
            return _error(503, "the order could not be handed over now", retry_after=RETRY_AFTER_SECONDS)
        log.info("push for %s order %s handed over", channel, order_id)
        return JSONResponse({"accepted": order_id}, status_code=202)

    async def health(_: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    async def openapi(_: Request) -> JSONResponse:
        from workers.webhooks_openapi import openapi_document  # it imports this module's models

        return JSONResponse(openapi_document())

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # Keys fetched before the first push, so that one is answered as fast as the rest.
        for channel in intake.channels.names():
            adapter = _bol_adapter(intake, channel)
            if adapter is not None:
                try:
                    await adapter.push_keys.warm()
                except MarketplaceError as exc:
                    log.warning("bol signature keys for %s not fetched yet: %s", channel, exc)
        yield

    return Starlette(
        routes=[
            Route("/webhooks/bol/{channel}", bol_push, methods=["POST"]),
            *kaufland_push_routes(intake, limits, sources, _error),
            *supplier_routes(SupplierIntake(intake), intake.client, limits),
            Route("/healthz", health, methods=["GET"]),
            Route("/openapi.json", openapi, methods=["GET"]),
            *(extra_routes or []),
        ],
        lifespan=lifespan,
    )


def _process_status(adapter: BolAdapter, event: PushEvent) -> JSONResponse:
    """A process finished: the worker in this process that waits for it
    looks it up now instead of at its next poll (the status itself is read
    through the authenticated API). A receiver running apart from the
    workers has nobody waiting here: polling finds the status."""
    process_id = event.resourceId
    if not BolId.OPAQUE.matches(process_id):
        return _error(400, f"event.resourceId: {process_id[:40]!r} is not a bol processStatusId")
    return JSONResponse({"looked_up": adapter.tracker.hint(process_id)}, status_code=202)


def _bol_adapter(intake: IntakeActivities, channel: str) -> BolAdapter | None:
    try:
        adapter = intake.channels[channel]
    except UnknownChannel:
        return None
    return adapter if isinstance(adapter, BolAdapter) else None


def _other_account(adapter: BolAdapter, push: BolPush) -> str | None:
    """Why the push is for another seller account, or None when it is ours.
    bol signs every account's pushes with the same keys, so a signature
    alone does not say the push is this seller's."""
    expected = adapter.config.retailer_id
    if expected is None:
        return (
            f"retailerId: channel {adapter.channel!r} has no retailer_id configured, so no push is accepted "
            f"(set ORDERTIDE_CHANNELS__{adapter.channel.upper()}__RETAILER_ID; polling still takes the orders)"
        )
    if push.retailerId is None or str(push.retailerId) != expected:
        return f"retailerId: {str(push.retailerId)[:20]!r} is not the account of channel {adapter.channel!r}"
    return None


def _error(status: int, message: str, retry_after: float | None = None) -> JSONResponse:
    headers = {"Retry-After": str(max(1, math.ceil(retry_after)))} if retry_after is not None else None
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def _when(push: BolPush) -> datetime:
    try:
        return datetime.fromisoformat(push.timestamp) if push.timestamp else datetime.now(UTC)
    except ValueError:
        return datetime.now(UTC)
