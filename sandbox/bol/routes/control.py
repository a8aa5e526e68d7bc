"""The control API under /_sandbox: plain JSON, no token, no rate limit.
Tests and simulators play the buyer here, inject faults and look at what
the seller's engine did. Each action is a thin shell over a BolSandbox method."""

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.bol.bodies import CancellationAsk
from sandbox.bol.problems import ProblemError, bad_request, from_validation_error, instance_uri, not_found
from sandbox.bol.state import BolSandbox
from sandbox.bol.wire import Violation

NO_CONTENT = (204, None)


@dataclass
class ControlCall:
    sandbox: BolSandbox
    path: dict[str, str]
    query: dict[str, str]
    body: dict[str, Any]


# -> (status, JSON body or None for an empty response)
Action = Callable[[ControlCall], tuple[int, Any]]


def control(action: Action) -> Callable[[Request], Awaitable[Response]]:
    async def serve(request: Request) -> Response:
        try:
            call = ControlCall(
                request.app.state.sandbox,
                dict(request.path_params),
                dict(request.query_params),
                _json_object(await request.body()),
            )
            status, payload = action(call)
        except ValidationError as exc:
            problem = from_validation_error(exc)
            status, payload = (
                problem.status,
                problem.body(instance=instance_uri(f"{request.url.scheme}://{request.url.netloc}", request.url.path)),
            )
        except ProblemError as problem:
            status, payload = (
                problem.status,
                problem.body(instance=instance_uri(f"{request.url.scheme}://{request.url.netloc}", request.url.path)),
            )
        return Response(status_code=status) if payload is None else JSONResponse(payload, status)

    return serve


def _json_object(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise bad_request([Violation(name="body", reason="The body must be a JSON object.")])
    return body


def place_order(call: ControlCall) -> tuple[int, Any]:
    return 201, call.sandbox.place_order(**call.body)


def get_order(call: ControlCall) -> tuple[int, Any]:
    return 200, call.sandbox.order(call.path["order_id"])


def request_cancellation(call: ControlCall) -> tuple[int, Any]:
    ask = CancellationAsk.model_validate(call.body)
    return 200, call.sandbox.request_cancellation(call.path["order_id"], ask.order_item_ids)


def register_return(call: ControlCall) -> tuple[int, Any]:
    return 201, call.sandbox.register_return(**call.body)


def list_returns(call: ControlCall) -> tuple[int, Any]:
    return 200, call.sandbox.returns()


def list_shipments(call: ControlCall) -> tuple[int, Any]:
    return 200, call.sandbox.shipments()


def add_transport_event(call: ControlCall) -> tuple[int, Any]:
    """{"eventCode": "DELIVERED_AT_CUSTOMER", "at": ISO time}: what the carrier reports."""
    return 200, call.sandbox.transport_event(call.path["shipment_id"], call.body["eventCode"], call.body["at"])


def list_invoices(call: ControlCall) -> tuple[int, Any]:
    return 200, call.sandbox.invoices()


def list_cancellations(call: ControlCall) -> tuple[int, Any]:
    return 200, call.sandbox.cancellations()


def list_requests(call: ControlCall) -> tuple[int, Any]:
    return 200, call.sandbox.requests(call.query.get("path"))


def list_offers(call: ControlCall) -> tuple[int, Any]:
    return 200, call.sandbox.offers()


def get_offer(call: ControlCall) -> tuple[int, Any]:
    return 200, call.sandbox.offer(call.path["offer_id"])


def drift_offer(call: ControlCall) -> tuple[int, Any]:
    return 200, call.sandbox.drift_offer(call.path["offer_id"], **call.body)


def list_process_statuses(call: ControlCall) -> tuple[int, Any]:
    return 200, call.sandbox.process_statuses()


def add_fault(call: ControlCall) -> tuple[int, Any]:
    return 201, call.sandbox.add_fault(**call.body)


def list_faults(call: ControlCall) -> tuple[int, Any]:
    return 200, call.sandbox.faults()


def clear_faults(call: ControlCall) -> tuple[int, Any]:
    call.sandbox.clear_faults()
    return NO_CONTENT


def remove_fault(call: ControlCall) -> tuple[int, Any]:
    if not call.sandbox.remove_fault(call.path["fault_id"]):
        raise not_found(f"Fault {call.path['fault_id']}")
    return NO_CONTENT


def list_holds(call: ControlCall) -> tuple[int, Any]:
    return 200, call.sandbox.holds()


def release_holds(call: ControlCall) -> tuple[int, Any]:
    call.sandbox.release_holds()
    return NO_CONTENT


def get_config(call: ControlCall) -> tuple[int, Any]:
    return 200, call.sandbox.config.model_dump(mode="json")


def update_config(call: ControlCall) -> tuple[int, Any]:
    return 200, call.sandbox.update_config(**call.body)


def reset(call: ControlCall) -> tuple[int, Any]:
    call.sandbox.reset()
    return NO_CONTENT


routes = [
    Route("/_sandbox/orders", control(place_order), methods=["POST"]),
    Route("/_sandbox/orders/{order_id}", control(get_order), methods=["GET"]),
    Route("/_sandbox/orders/{order_id}/cancellation-requests", control(request_cancellation), methods=["POST"]),
    Route("/_sandbox/returns", control(register_return), methods=["POST"]),
    Route("/_sandbox/returns", control(list_returns), methods=["GET"]),
    Route("/_sandbox/shipments", control(list_shipments), methods=["GET"]),
    Route("/_sandbox/shipments/{shipment_id}/events", control(add_transport_event), methods=["POST"]),
    Route("/_sandbox/invoices", control(list_invoices), methods=["GET"]),
    Route("/_sandbox/cancellations", control(list_cancellations), methods=["GET"]),
    Route("/_sandbox/requests", control(list_requests), methods=["GET"]),
    Route("/_sandbox/offers", control(list_offers), methods=["GET"]),
    Route("/_sandbox/offers/{offer_id}", control(get_offer), methods=["GET"]),
    Route("/_sandbox/offers/{offer_id}/drift", control(drift_offer), methods=["POST"]),
    Route("/_sandbox/process-statuses", control(list_process_statuses), methods=["GET"]),
    Route("/_sandbox/faults", control(add_fault), methods=["POST"]),
    Route("/_sandbox/faults", control(list_faults), methods=["GET"]),
    Route("/_sandbox/faults", control(clear_faults), methods=["DELETE"]),
    Route("/_sandbox/faults/{fault_id}", control(remove_fault), methods=["DELETE"]),
    Route("/_sandbox/holds", control(list_holds), methods=["GET"]),
    Route("/_sandbox/holds", control(release_holds), methods=["DELETE"]),
    Route("/_sandbox/config", control(get_config), methods=["GET"]),
    Route("/_sandbox/config", control(update_config), methods=["PUT"]),
    Route("/_sandbox/reset", control(reset), methods=["POST"]),
]
