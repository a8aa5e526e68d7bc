"""The codec server: lets authorised ops read encrypted payloads in the
Temporal Web UI and with `temporal --codec-endpoint … --codec-auth …`.

Callers prove themselves with `Authorization: Bearer <token>`, what
`temporal --codec-auth` and an authenticating proxy send. The token never
travels in a URL: paths end up in access logs, browser history and proxies.
The embedded dev server's UI cannot send a header of its own, so a browser
may instead sign in once (`GET /`, the token in a form body) and gets an
HttpOnly, SameSite=Strict cookie derived from the token; the UI sends it when
its codec setting "Include cross-origin credentials" is on."""

import hashlib
import hmac
import logging
from urllib.parse import parse_qs

from google.protobuf import json_format
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from temporalio.api.common.v1 import Payloads

from workers.codec import EncryptionCodec

log = logging.getLogger(__name__)

SESSION_COOKIE = "ordertide_codec_session"

SIGN_IN_PAGE = """<!doctype html><title>ordertide codec</title>
<p>{message}</p>
<form method="post" action="/session">
<label>Codec token <input type="password" name="token" autocomplete="off" autofocus></label>
<button>Sign in</button></form>
<p>Then, in the Temporal Web UI's codec settings, set this browser's endpoint to this server
and turn on "Include cross-origin credentials".</p>"""


def session_value(token: str) -> str:
    # Not the token itself: a cookie that leaks (a browser profile, a HAR
    # file) cannot be replayed as `--codec-auth`.
    return hmac.new(token.encode(), b"ordertide web ui session", hashlib.sha256).hexdigest()


def create_codec_app(codec: EncryptionCodec, token: str, ui_origins: list[str]) -> Starlette:
    if not token.strip():
        raise ValueError("codec token: empty; the codec server never decrypts for anyone who asks")
    session = session_value(token)

    def authorised(request: Request) -> bool:
        scheme, _, supplied = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(supplied.strip().encode(), token.encode()):
            return True
        return hmac.compare_digest(request.cookies.get(SESSION_COOKIE, "").encode(), session.encode())

    async def transcode(request: Request) -> Response:
        name = request.url.path.rsplit("/", 1)[-1]
        if not authorised(request):
            log.info("%s refused: no valid codec token", name)
            return JSONResponse({"error": "missing or wrong codec token (Authorization: Bearer …)"}, status_code=401)
        try:
            payloads = json_format.Parse(await request.body(), Payloads())
        except json_format.ParseError as exc:
            return JSONResponse({"error": f"body is not a Payloads JSON document: {exc}"}, status_code=400)
        transform = codec.decode if name == "decode" else codec.encode
        try:
            result = Payloads(payloads=await transform(list(payloads.payloads)))
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        log.info("%s: %d payloads", name, len(result.payloads))
        return Response(json_format.MessageToJson(result), media_type="application/json")

    async def sign_in_page(request: Request) -> Response:
        return HTMLResponse(SIGN_IN_PAGE.format(message="Sign in to let this browser's Web UI decode payloads."))

    async def sign_in(request: Request) -> Response:
        supplied = parse_qs((await request.body()).decode(errors="replace")).get("token", [""])[0]
        if not hmac.compare_digest(supplied.strip().encode(), token.encode()):
            return HTMLResponse(SIGN_IN_PAGE.format(message="Wrong codec token."), status_code=401)
        response = HTMLResponse(SIGN_IN_PAGE.format(message="Signed in: the Web UI in this browser can decode."))
        response.set_cookie(
            SESSION_COOKIE,
            session,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response

    routes = [
        Route("/decode", transcode, methods=["POST"]),
        Route("/encode", transcode, methods=["POST"]),
        Route("/", sign_in_page, methods=["GET"]),
        Route("/session", sign_in, methods=["POST"]),
    ]
    middleware = [
        Middleware(
            CORSMiddleware,
            allow_origins=ui_origins,
            allow_methods=["POST", "OPTIONS"],
            allow_headers=["content-type", "authorization", "x-namespace"],
            allow_credentials=True,
        )
    ]
    return Starlette(routes=routes, middleware=middleware)
