"""The supplier portal's webhook: `POST /webhooks/supplier/{channel}`.

Checks run cheapest first and nothing is saved or started until all have
passed: 429 for a source over its budget, 404 for a channel that is not a
supplier channel taking pushes, 413 for a body over the cap, 401 for a push
without a valid HMAC signature and timestamp inside the replay window, 400
naming the problem for a signed push that is not a readable order (also
named on the channel's intake workflow, NeedsAttention, where ops look).
Then the order is saved in the inbox and handed to Temporal: 202 once
Temporal has it, 503 (Retry-After) when the store or Temporal cannot take
it now, so the portal delivers it again."""

import asyncio
import json
import logging
import math
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from temporalio.client import Client

from activities.marketplaces.supplier.signature import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    BadSignature,
    verify,
)
from activities.marketplaces.supplier.wire import PortalOrder, problems
from activities.supplier_intake import SupplierIntake
from domain import names
from domain.ids import intake_workflow_id
from domain.intake import UnreadableItem
from workers.request_body import read_capped
from workers.settings import WebhookSettings
from workers.source_limit import SourceLimit

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


class SupplierPush(BaseModel):
    """The portal's push: the whole order, or (a hint) only its number."""

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)

    event: Literal["order.placed"] = "order.placed"
    order: PortalOrder | None = None
    order_number: str | None = None

    @model_validator(mode="after")
    def _one(self) -> "SupplierPush":
        if self.order is None and not self.order_number:
            raise ValueError("order (or order_number): required")
        return self


def supplier_routes(supplier: SupplierIntake, client: Client | None, limits: WebhookSettings) -> list[Route]:
    sources = SourceLimit(limits.requests_per_second, limits.burst)

    async def tell_intake(channel: str, item_id: str, reason: str) -> None:
        """Ops see a refused push on the channel's intake workflow; the
        refusal stands whether or not Temporal hears of it now."""
        if client is None:
            return
        item = UnreadableItem(kind="order", item_id=item_id[:64], reason=f"push refused: {reason}"[:500])
        try:
            handle = client.get_workflow_handle(intake_workflow_id(channel))
            await asyncio.wait_for(handle.signal(names.SIGNAL_PUSH_REFUSED, item), 2)
        except Exception as exc:  # the log still has it
            log.warning("refused push for %s not reported to its intake: %s", channel, type(exc).__name__)

    async def push(request: Request) -> Response:
        wait = sources.admit(request.client.host if request.client else "-")
        if wait is not None:
            return _error(429, "too many requests from this address", retry_after=wait)
        channel = request.path_params["channel"]
        adapter = supplier.adapter(channel)
        if adapter is None or not adapter.config.takes_pushes:
            return _error(404, f"unknown supplier channel {channel!r} (or it takes no pushes)")
        body = await read_capped(request, limits.max_body_bytes)
        if body is None:
            return _error(413, f"body: longer than {limits.max_body_bytes} bytes")
        secret = adapter.config.webhooks.secret
        if secret is None:
            return _error(401, f"channel {channel!r} has no webhooks.secret configured, so no push is accepted")
        try:
            verify(
                secret.get_secret_value(),
                body,
                request.headers.get(SIGNATURE_HEADER),
                request.headers.get(TIMESTAMP_HEADER),
                datetime.now(UTC),
                adapter.config.webhooks.replay_window,
            )
        except BadSignature as exc:
            log.warning("push for %s refused: %s", channel, exc)
            return _error(401, f"not signed by the portal: {exc}")
        try:
            parsed = SupplierPush.model_validate_json(body)
        except ValidationError as exc:
            reason = problems(exc)
            log.warning("signed push for %s refused: %s", channel, reason)
            await tell_intake(channel, _order_number_in(body), reason)
            return _error(400, f"not a portal order: {reason}")
        try:
            if parsed.order is not None:
                handing = supplier.receive(channel, parsed.order, "webhook")
            elif adapter.api is not None:
                handing = supplier.receive_hint(channel, parsed.order_number or "")
            else:
                reason = f"order: required (channel {channel!r} has no API to read order {parsed.order_number} from)"
                await tell_intake(channel, parsed.order_number or "push", reason)
                return _error(400, reason)
            received = await asyncio.wait_for(handing, limits.handoff_timeout.total_seconds())
        except ValueError as exc:  # an order number no workflow id can carry
            await tell_intake(channel, "push", str(exc))
            return _error(400, f"order_number: {exc}")
        except Exception:
            # Not lost: the portal delivers it again, and an order already saved
            # is handed over by the channel's next intake poll.
            log.exception("push for %s not handed over", channel)
            return _error(503, "the order could not be handed over now", retry_after=RETRY_AFTER_SECONDS)
        if received.conflict:
            log.warning("push for %s order %s: %s", channel, received.order_number, received.conflict)
            await tell_intake(channel, received.order_number, received.conflict)
        log.info("push for %s order %s handed over", channel, received.order_number)
        return JSONResponse({"accepted": received.order_number, "new": received.new}, status_code=202)

    return [Route("/webhooks/supplier/{channel}", push, methods=["POST"])]


def _order_number_in(body: bytes) -> str:
    """The order number of a push that failed validation, to name it to ops."""
    try:
        data = json.loads(body)
        number = data.get("order_number") or (data.get("order") or {}).get("order_number")
    except (ValueError, AttributeError):
        return "push"
    return str(number)[:64] if isinstance(number, str | int) and str(number).strip() else "push"


def _error(status: int, message: str, retry_after: float | None = None) -> JSONResponse:
    headers = {"Retry-After": str(max(1, math.ceil(retry_after)))} if retry_after is not None else None
    return JSONResponse({"error": message}, status_code=status, headers=headers)
