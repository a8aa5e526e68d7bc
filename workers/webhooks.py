"""The webhook receiver: marketplaces push notifications here.

A push is only a hint (it can be forged, late, duplicated or lost): an ORDER
push starts that order's workflow — idempotently, by workflow id — and the
workflow fetches the order through the authenticated API before trusting
anything. Everything else is acknowledged and left to polling. A malformed
push gets a 4xx naming the field, and nothing is half-done."""

import logging
from datetime import UTC, datetime

from pydantic import BaseModel, ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from activities.intake import IntakeActivities
from domain.intake import OrderChange

log = logging.getLogger(__name__)


class PushEvent(BaseModel):
    resource: str
    type: str | None = None
    resourceId: str  # noqa: N815  # bol's JSON field name, as sent


class BolPush(BaseModel):
    """bol's push notification (Retailer API subscriptions, WEBHOOK type)."""

    retailerId: int | str | None = None  # noqa: N815  # bol's JSON field name, as sent
    timestamp: str | None = None
    event: PushEvent


def create_webhook_app(intake: IntakeActivities) -> Starlette:
    async def bol_push(request: Request) -> JSONResponse:
        channel = request.path_params["channel"]
        if channel not in intake.channels.names():
            return JSONResponse({"error": f"unknown channel {channel!r}"}, status_code=404)
        try:
            push = BolPush.model_validate_json(await request.body())
        except ValidationError as exc:
            fields = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors())
            return JSONResponse({"error": f"not a bol push notification: {fields}"}, status_code=400)
        if push.event.resource != "ORDER":
            return JSONResponse({"ignored": push.event.resource}, status_code=202)
        change = OrderChange(marketplace_order_id=push.event.resourceId, placed_at=_when(push), open=True)
        await intake.dispatch_order(channel, change)
        log.info("push for %s order %s handed over", channel, push.event.resourceId)
        return JSONResponse({"accepted": push.event.resourceId}, status_code=202)

    async def health(_: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[
            Route("/webhooks/bol/{channel}", bol_push, methods=["POST"]),
            Route("/healthz", health, methods=["GET"]),
        ]
    )


def _when(push: BolPush) -> datetime:
    try:
        return datetime.fromisoformat(push.timestamp) if push.timestamp else datetime.now(UTC)
    except ValueError:
        return datetime.now(UTC)
