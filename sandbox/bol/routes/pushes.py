"""The control API's push sender: POST /_sandbox/pushes sends a push as bol
would for a subscription, signed with the sandbox's current key (see
sandbox/bol/push_keys.py); POST /_sandbox/signature-keys/rotate signs the
next ones with a new key."""

import json

import httpx
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.bol.bodies import PushAsk
from sandbox.bol.problems import bad_request, from_validation_error
from sandbox.bol.state import BolSandbox
from sandbox.bol.wire import Violation

DELIVERY_TIMEOUT_SECONDS = 10


async def send_push(request: Request) -> Response:
    """Answers the signed push ({"body", "headers"}) and, when a `url` was
    given, the receiver's answer ("delivered": its status code, or null and
    "error" when it could not be reached)."""
    sandbox: BolSandbox = request.app.state.sandbox
    try:
        raw = json.loads(await request.body() or b"{}")
        ask = PushAsk.model_validate(raw)
    except ValidationError as exc:
        problem = from_validation_error(exc)
        return JSONResponse(problem.body(instance=str(request.url)), problem.status)
    except ValueError:
        problem = bad_request([Violation(name="body", reason="The body must be a JSON object.")])
        return JSONResponse(problem.body(instance=str(request.url)), problem.status)
    body, headers = sandbox.signed_push(ask.event)
    reply: dict[str, object] = {"body": body.decode(), "headers": headers}
    if ask.url is not None:
        try:
            async with httpx.AsyncClient(timeout=DELIVERY_TIMEOUT_SECONDS) as http:
                reply["delivered"] = (await http.post(ask.url, content=body, headers=headers)).status_code
        except httpx.HTTPError as exc:
            reply["delivered"] = None
            reply["error"] = f"{type(exc).__name__}: {exc}"
    return JSONResponse(reply, 201)


async def rotate_signature_key(request: Request) -> Response:
    sandbox: BolSandbox = request.app.state.sandbox
    return JSONResponse({"keyId": sandbox.push_keys.rotate()}, 201)


routes = [
    Route("/_sandbox/pushes", send_push, methods=["POST"]),
    Route("/_sandbox/signature-keys/rotate", rotate_signature_key, methods=["POST"]),
]
