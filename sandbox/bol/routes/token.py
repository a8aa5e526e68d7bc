"""POST /token: OAuth2 client credentials, as login.bol.com takes them —
HTTP Basic credentials (or client_id/client_secret form fields), and
grant_type=client_credentials in the form body or the query string."""

import base64
import binascii
import json
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.bol.gateway import logged, request_fault
from sandbox.bol.state import BolSandbox


async def issue_token(request: Request) -> Response:
    sandbox: BolSandbox = request.app.state.sandbox
    raw = await request.body()
    forced = await request_fault(request, sandbox)
    if forced is not None:
        status, body, headers = forced
    else:
        status, body = _token_reply(request, raw, sandbox)
        headers = {"Cache-Control": "no-store"}
    return logged(request, raw, sandbox, Response(json.dumps(body), status, headers, media_type="application/json"))


def _token_reply(request: Request, raw: bytes, sandbox: BolSandbox) -> tuple[int, dict[str, Any]]:
    form = dict(parse_qsl(raw.decode("utf-8", errors="replace")))
    grant_type = form.get("grant_type") or request.query_params.get("grant_type")
    if grant_type != "client_credentials":
        return 400, {"error": "unsupported_grant_type", "error_description": "Use grant_type=client_credentials."}
    client_id, client_secret = _basic_credentials(request) or (form.get("client_id", ""), form.get("client_secret", ""))
    issued = sandbox.issue_token(client_id, client_secret)
    if issued is None:
        return 401, {"error": "invalid_client", "error_description": "Bad client credentials"}
    return 200, issued


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, client_secret = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return client_id, client_secret


routes = [Route("/token", issue_token, methods=["POST"])]
