"""Where a warehouse that cannot speak Temporal reports picks and shipments:
`POST /warehouse/orders/<order id>/pick` and `.../ship`, with the bodies of
the `pick` and `ship` updates (domain/order/messages.py) and
`Authorization: Bearer <warehouse secret>`.

They run the very updates the CLI sends, so a request the order refuses is
answered with the workflow validator's own message (422), as the CLI prints
it; nothing changes unless the update was accepted. A small app of its own:
`ordertide run` serves it beside its simulated warehouse, and
`ordertide webhooks` mounts the same routes next to the bol receiver."""

import hmac
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from pydantic import BaseModel, SecretStr, ValidationError
from pydantic_core import ErrorDetails
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route
from temporalio.client import Client, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from domain import names
from domain.ids import parse_order_workflow_id
from domain.order.messages import PickRequest, ShipRequest
from workers.request_body import read_capped

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
# An update waits for the worker; a warehouse that hears nothing in time asks again.
UPDATE_TIMEOUT = timedelta(seconds=10)
RETRY_AFTER_SECONDS = "5"

UPDATES: dict[str, tuple[str, type[BaseModel]]] = {
    "pick": (names.UPDATE_PICK, PickRequest),
    "ship": (names.UPDATE_SHIP, ShipRequest),
}


def warehouse_routes(client: Client, secret: SecretStr) -> list[BaseRoute]:
    expected = f"Bearer {secret.get_secret_value()}".encode()

    def endpoint(action: str) -> Callable[[Request], Awaitable[JSONResponse]]:
        async def run(request: Request) -> JSONResponse:
            return await report(request, *UPDATES[action])

        return run

    async def report(request: Request, update: str, model: type[BaseModel]) -> JSONResponse:
        given = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            return _error(401, "Authorization: expected Bearer <the warehouse secret>")
        order_id = request.path_params["order_id"]
        try:
            parse_order_workflow_id(order_id)
        except ValueError:
            return _error(404, f"order id: {order_id[:60]!r} is not an order id (order:<channel>:<id>)")
        body = await read_capped(request, MAX_BODY_BYTES)
        if body is None:
            return _error(413, f"body: longer than {MAX_BODY_BYTES} bytes")
        try:
            message = model.model_validate_json(body or b"{}")
        except ValidationError as exc:
            return _error(400, "; ".join(_field_error(e) for e in exc.errors()))
        handle = client.get_workflow_handle(order_id)
        try:
            result = await handle.execute_update(update, message, result_type=str, rpc_timeout=UPDATE_TIMEOUT)
        except WorkflowUpdateFailedError as exc:
            cause = exc.cause
            return _error(422, cause.message if isinstance(cause, ApplicationError) else str(cause))
        except WorkflowUpdateRPCTimeoutOrCancelledError:
            return _error(503, "the order did not answer in time; send it again", retry_after=True)
        except RPCError as exc:
            if exc.status == RPCStatusCode.NOT_FOUND:
                return _error(404, f"no running order {order_id}")
            log.warning("warehouse %s for %s not handed over: %s", update, order_id, exc.message)
            return _error(503, "Temporal could not take it now; send it again", retry_after=True)
        return JSONResponse({"order_id": order_id, "result": result})

    return [Route(f"/warehouse/orders/{{order_id}}/{action}", endpoint(action), methods=["POST"]) for action in UPDATES]


def create_warehouse_app(client: Client, secret: SecretStr) -> Starlette:
    return Starlette(routes=warehouse_routes(client, secret))


def _field_error(error: ErrorDetails) -> str:
    return f"{'.'.join(str(p) for p in error['loc']) or 'body'}: {error['msg']}"


def _error(status: int, message: str, retry_after: bool = False) -> JSONResponse:
    headers = {"Retry-After": RETRY_AFTER_SECONDS} if retry_after else None
    return JSONResponse({"error": message}, status_code=status, headers=headers)
