"""Kaufland's push notifications, received beside bol's.

A Kaufland notification names an event and what changed, never the data
(its subscriptions only say "re-read"), and Kaufland documents no signature
on it. So it is authenticated the way a callback URL can be: the channel's
`push_token`, a secret only Kaufland has (it is in the URL it was given when
subscribing), compared in constant time; and it is only a hint. Order
events make the receiver read the order through the signed API and hand it
to intake's dispatch (start, or the buyer's cancellation); return events make
it read the open returns now. Ids are checked against Kaufland's formats
before they reach a URL or a workflow id. docs/webhooks.md has the table."""

import asyncio
import hmac
import logging
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from activities.channels import UnknownChannel
from activities.intake import IntakeActivities
from activities.marketplaces.kaufland import ids
from activities.marketplaces.kaufland.adapter import KauflandAdapter
from activities.marketplaces.kaufland.mapping import BUYER_CANCELLED, CANCELLED, OPEN, lines_of
from domain.errors import BusinessError, MarketplaceError
from domain.intake import OrderChange
from workers.request_body import read_capped
from workers.settings import WebhookSettings
from workers.source_limit import SourceLimit

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30
ORDER_EVENTS = frozenset({"order_new", "order_unit_new", "order_unit_status_changed"})
RETURN_EVENTS = frozenset({"return_new", "return_status_changed", "return_unit_status_changed"})
# Kaufland's other events (item_*, category_changed): offers are reconciled by polling.
OTHER_EVENTS = frozenset(
    {
        "item_changed",
        "category_changed",
        "item_unit_new",
        "item_unit_changed",
        "item_unit_deleted",
        "item_unit_out_of_stock",
        "item_unit_not_available",
        "item_unit_available",
    }
)

Respond = Callable[..., JSONResponse]


class KauflandPush(BaseModel):
    """What ordertide reads of a notification: the event and the ids of what
    changed, by Kaufland's field names. Anything else is ignored."""

    model_config = ConfigDict(extra="ignore")

    event_name: str
    id_order: str | None = None
    id_order_unit: int | str | None = None
    id_return: int | str | None = None
    id_return_unit: int | str | None = None


def kaufland_push_routes(
    intake: IntakeActivities, limits: WebhookSettings, sources: SourceLimit, error: Respond
) -> list[Route]:
    # One returns read per channel at a time: a burst of return events costs one.
    reading_returns: dict[str, asyncio.Lock] = {}

    def admitted(request: Request) -> tuple[KauflandAdapter, str] | JSONResponse:
        wait = sources.admit(request.client.host if request.client else "-")
        if wait is not None:
            return error(429, "too many requests from this address", retry_after=wait)
        channel = request.path_params["channel"]
        adapter = _kaufland_adapter(intake, channel)
        if adapter is None:
            return error(404, f"unknown Kaufland channel {channel!r}")
        expected = adapter.config.push_token
        if expected is None:
            return error(
                403,
                f"channel {channel!r} has no push_token configured, so no push is accepted "
                f"(set push_token or push_token_env in its [channels.{channel}] section; polling still takes the orders)",
            )
        given = str(request.path_params["token"])
        if not hmac.compare_digest(given.encode(), expected.get_secret_value().encode()):
            return error(401, "not this channel's callback URL")
        return adapter, channel

    async def verify(request: Request) -> JSONResponse:
        """Kaufland calls a new callback URL once before it subscribes it."""
        found = admitted(request)
        if isinstance(found, JSONResponse):
            return found
        return JSONResponse({"ok": True})

    async def push(request: Request) -> JSONResponse:
        response = await _push(request)
        # Our own access log line: the path holds the channel's secret.
        log.info("kaufland push for %s -> %d", request.path_params.get("channel"), response.status_code)
        return response

    async def _push(request: Request) -> JSONResponse:
        found = admitted(request)
        if isinstance(found, JSONResponse):
            return found
        adapter, channel = found
        body = await read_capped(request, limits.max_body_bytes)
        if body is None:
            return error(413, f"body: longer than {limits.max_body_bytes} bytes")
        try:
            notification = KauflandPush.model_validate_json(body)
        except ValidationError as exc:
            fields = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors())
            return error(400, f"not a Kaufland notification: {fields}")
        event = notification.event_name
        if event in RETURN_EVENTS:
            bad = _bad_ids(notification, ("id_return", "id_return_unit", "id_order_unit"))
            if bad:
                return error(400, bad)
            return await _returns(channel, reading_returns.setdefault(channel, asyncio.Lock()))
        if event not in ORDER_EVENTS:
            known = event in OTHER_EVENTS
            return JSONResponse({"ignored": event if known else "unknown event"}, status_code=202)
        bad = _bad_ids(notification, ("id_order", "id_order_unit"))
        if bad:
            return error(400, bad)
        if notification.id_order is None and notification.id_order_unit is None:
            return error(400, "id_order: an order event names its order (id_order or id_order_unit)")
        try:
            change = await asyncio.wait_for(_reread(adapter, notification), limits.handoff_timeout.total_seconds())
        except BusinessError as exc:
            # Kaufland does not know it for this account (404): nothing to do.
            return JSONResponse({"ignored": f"not readable: {exc}"[:300]}, status_code=202)
        except (MarketplaceError, TimeoutError) as exc:
            log.warning("push for %s not re-read: %s", channel, exc)
            return error(503, "the order cannot be read from Kaufland now", retry_after=RETRY_AFTER_SECONDS)
        return await _hand_over(channel, change)

    async def _hand_over(channel: str, change: OrderChange) -> JSONResponse:
        try:
            await asyncio.wait_for(intake.dispatch_order(channel, change), limits.handoff_timeout.total_seconds())
        except Exception:
            log.exception("push for %s order %s not handed over", channel, change.marketplace_order_id)
            return error(503, "the order could not be handed over now", retry_after=RETRY_AFTER_SECONDS)
        return JSONResponse({"accepted": change.marketplace_order_id}, status_code=202)

    async def _returns(channel: str, lock: asyncio.Lock) -> JSONResponse:
        if lock.locked():
            return JSONResponse({"accepted": "returns", "coalesced": True}, status_code=202)
        async with lock:
            try:
                forwarded = await asyncio.wait_for(
                    intake.forward_returns(channel), 3 * limits.handoff_timeout.total_seconds()
                )
            except Exception:
                log.exception("return push for %s not handled", channel)
                return error(503, "returns cannot be read now", retry_after=RETRY_AFTER_SECONDS)
        return JSONResponse({"accepted": "returns", "forwarded": forwarded}, status_code=202)

    path = "/webhooks/kaufland/{channel}/{token}"
    return [Route(path, push, methods=["POST"]), Route(path, verify, methods=["GET"])]


def _kaufland_adapter(intake: IntakeActivities, channel: str) -> KauflandAdapter | None:
    try:
        adapter = intake.channels[channel]
    except UnknownChannel:
        return None
    return adapter if isinstance(adapter, KauflandAdapter) else None


def _bad_ids(push: KauflandPush, fields: tuple[str, ...]) -> str | None:
    """The first id not in Kaufland's format, named with its field."""
    for field in fields:
        value: Any = getattr(push, field)
        if value is None:
            continue
        pattern = ids.ORDER_ID if field == "id_order" else ids.UNIT_ID
        if not pattern.fullmatch(str(value)):
            return f"{field}: {str(value)[:40]!r} is not in Kaufland's {field} format"
    return None


async def _reread(adapter: KauflandAdapter, push: KauflandPush) -> OrderChange:
    """The order as Kaufland's signed API shows it (the push only names it)."""
    id_order = push.id_order
    if id_order is None:
        unit = await adapter.orders.unit(int(str(push.id_order_unit)))
        id_order = ids.order_id(unit.id_order)
    details = await adapter.orders.details(id_order)
    lines = lines_of(details.order_units)
    return OrderChange(
        marketplace_order_id=details.id_order,
        placed_at=details.ts_created_iso,
        open=any(u.status in OPEN for u in details.order_units),
        cancellation_requested_line_ids=[
            line_id
            for line_id, units in lines.items()
            if any(u.status == CANCELLED and u.cancel_reason == BUYER_CANCELLED for u in units)
        ],
    )
