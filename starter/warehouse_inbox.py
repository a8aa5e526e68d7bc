"""The demo warehouse's side of the warehouse push: it receives the signed
orders the engine pushes and reports picks over the warehouse endpoint, the
way a warehouse that cannot speak Temporal would (README, "The warehouse")."""

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta

import httpx
from pydantic import SecretStr, ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from domain.order.messages import PickRequest
from domain.warehouse import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, WarehouseOrder, signature_matches

log = logging.getLogger(__name__)

# A pick refused this many times (the buyer cancelled every line, ops picked
# it already) is dropped; refusals before that are an order still settling.
MAX_REFUSALS = 20


class WarehouseInbox:
    def __init__(self, secret: SecretStr):
        self.secret = secret
        self.endpoint: str | None = None  # where picks go, once it is served
        self.deliveries: list[str] = []  # every push's idempotency key, duplicates too
        self.orders: dict[str, WarehouseOrder] = {}  # by idempotency key
        self._waiting: dict[str, float] = {}  # order id -> when it arrived
        self._refusals: dict[str, int] = {}

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/orders", self._receive, methods=["POST"])])

    async def _receive(self, request: Request) -> JSONResponse:
        body = await request.body()
        headers = request.headers
        secret = self.secret.get_secret_value()
        if not signature_matches(secret, headers.get(TIMESTAMP_HEADER), body, headers.get(SIGNATURE_HEADER)):
            return JSONResponse({"error": "not signed with the warehouse secret"}, status_code=401)
        try:
            order = WarehouseOrder.model_validate_json(body)
        except ValidationError as exc:
            return JSONResponse({"error": str(exc.errors()[0]["loc"])}, status_code=400)
        key = headers.get(IDEMPOTENCY_HEADER, order.idempotency_key)
        self.deliveries.append(key)
        if key not in self.orders:
            self.orders[key] = order
            self._waiting[order.order_id] = asyncio.get_running_loop().time()
        return JSONResponse({"received": key})

    async def pick_ready(self, delay: timedelta, pick: Callable[[], PickRequest]) -> int:
        """Picks the orders that arrived at least `delay` ago; how many were picked."""
        if self.endpoint is None:
            return 0
        now = asyncio.get_running_loop().time()
        ready = [order_id for order_id, at in self._waiting.items() if now - at >= delay.total_seconds()]
        if not ready:
            return 0
        headers = {"Authorization": f"Bearer {self.secret.get_secret_value()}"}
        async with httpx.AsyncClient(base_url=self.endpoint, headers=headers, timeout=15) as http:
            done = await asyncio.gather(*(self._pick(http, order_id, pick()) for order_id in ready))
        return sum(done)

    async def _pick(self, http: httpx.AsyncClient, order_id: str, request: PickRequest) -> bool:
        try:
            response = await http.post(
                f"/warehouse/orders/{order_id}/pick", content=request.model_dump_json(exclude_none=True)
            )
        except httpx.HTTPError as exc:
            log.warning("warehouse: pick of %s not sent: %s", order_id, exc)
            return False
        if response.is_success:
            self._waiting.pop(order_id, None)
            return True
        if response.status_code == 422:
            self._refusals[order_id] = refused = self._refusals.get(order_id, 0) + 1
            if refused >= MAX_REFUSALS:
                log.info("warehouse: %s dropped: %s", order_id, response.json().get("error"))
                self._waiting.pop(order_id, None)
        return False
