"""The control API under /_sandbox: plain JSON, unsigned, no rate limit.
Tests and simulators play the buyer and Kaufland's customer service here,
inject faults and look at what the seller's engine did."""

import json
from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.kaufland.problems import KauflandProblem, invalid, not_found
from sandbox.kaufland.state import KauflandSandbox

Action = Callable[[KauflandSandbox, dict[str, str], dict[str, Any], dict[str, str]], tuple[int, Any]]


def control(action: Action) -> Callable[[Request], Awaitable[Response]]:
    async def serve(request: Request) -> Response:
        try:
            raw = await request.body()
            body = json.loads(raw) if raw.strip() else {}
            if not isinstance(body, dict):
                raise invalid("body", "must be a JSON object")
            status, payload = action(
                request.app.state.sandbox, dict(request.path_params), body, dict(request.query_params)
            )
        except ValueError as exc:  # also pydantic's ValidationError
            if isinstance(exc, ValidationError):
                errors = [{"field": ".".join(map(str, e["loc"])), "message": e["msg"]} for e in exc.errors()]
                problem = KauflandProblem(400, "Invalid control request", "/problems/validation-error", errors)
            else:
                problem = invalid("body", str(exc))
            status, payload = problem.status, problem.body()
        except KauflandProblem as problem:
            status, payload = problem.status, problem.body()
        return Response(status_code=status) if payload is None else JSONResponse(payload, status)

    return serve


def _unit_id(path: dict[str, str]) -> int:
    raw = path["id_order_unit"]
    if not raw.isdigit():
        raise not_found(f"Order unit {raw}")
    return int(raw)


def _release(sandbox: KauflandSandbox) -> tuple[int, Any]:
    return 200, {"released": sandbox.release_holds()}


def _clear(sandbox: KauflandSandbox) -> tuple[int, Any]:
    sandbox.clear_faults()
    return 204, None


def _remove_fault(sandbox: KauflandSandbox, fault_id: str) -> tuple[int, Any]:
    if not sandbox.remove_fault(fault_id):
        raise not_found(f"Fault {fault_id}")
    return 204, None


routes = [
    Route("/_sandbox/orders", control(lambda s, p, b, q: (201, s.place_order(**b))), methods=["POST"]),
    Route("/_sandbox/orders/{id_order}", control(lambda s, p, b, q: (200, s.order(p["id_order"]))), methods=["GET"]),
    Route(
        "/_sandbox/order-units/{id_order_unit}",
        control(lambda s, p, b, q: (200, s.unit(_unit_id(p)))),
        methods=["GET"],
    ),
    Route(
        "/_sandbox/order-units/{id_order_unit}/customer-cancel",
        control(lambda s, p, b, q: (200, s.cancel_by_customer_service(_unit_id(p), **b))),
        methods=["POST"],
    ),
    Route(
        "/_sandbox/order-units/{id_order_unit}/status",
        control(lambda s, p, b, q: (200, s.set_unit_status(_unit_id(p), **b))),
        methods=["POST"],
    ),
    Route("/_sandbox/units", control(lambda s, p, b, q: (200, s.offer_units())), methods=["GET"]),
    Route("/_sandbox/import-files", control(lambda s, p, b, q: (200, s.import_files())), methods=["GET"]),
    Route(
        "/_sandbox/units/{id_unit:int}/drift",
        control(lambda s, p, b, q: (200, s.drift_unit(int(p["id_unit"]), **b))),
        methods=["POST"],
    ),
    Route("/_sandbox/sends", control(lambda s, p, b, q: (200, s.sends())), methods=["GET"]),
    Route("/_sandbox/cancels", control(lambda s, p, b, q: (200, s.cancels())), methods=["GET"]),
    Route("/_sandbox/shipments", control(lambda s, p, b, q: (200, s.shipments())), methods=["GET"]),
    Route("/_sandbox/refunds", control(lambda s, p, b, q: (200, s.refunds())), methods=["GET"]),
    Route("/_sandbox/requests", control(lambda s, p, b, q: (200, s.requests(q.get("path")))), methods=["GET"]),
    Route("/_sandbox/faults", control(lambda s, p, b, q: (201, s.add_fault(**b))), methods=["POST"]),
    Route("/_sandbox/faults", control(lambda s, p, b, q: (200, s.faults())), methods=["GET"]),
    Route("/_sandbox/faults", control(lambda s, p, b, q: _clear(s)), methods=["DELETE"]),
    Route(
        "/_sandbox/faults/{fault_id}",
        control(lambda s, p, b, q: _remove_fault(s, p["fault_id"])),
        methods=["DELETE"],
    ),
    Route("/_sandbox/holds", control(lambda s, p, b, q: (200, s.holds())), methods=["GET"]),
    Route("/_sandbox/holds/release", control(lambda s, p, b, q: _release(s)), methods=["POST"]),
]
