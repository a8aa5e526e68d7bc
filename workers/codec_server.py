"""The codec server: lets the Temporal Web UI (and `temporal --codec-endpoint`)
show decrypted payloads to authorised ops. The UI calls `<endpoint>/decode`;
the token is part of the endpoint path (`/t/<token>`) because the dev
server's UI sends no credentials of its own; other clients may send
`Authorization: Bearer <token>` to `/decode` instead."""

import hmac

from google.protobuf import json_format
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from temporalio.api.common.v1 import Payloads

from workers.codec import EncryptionCodec


def create_codec_app(codec: EncryptionCodec, token: str, ui_origins: list[str]) -> Starlette:
    def authorised(request: Request) -> bool:
        supplied = request.path_params.get("token") or request.headers.get("authorization", "").removeprefix("Bearer ")
        return hmac.compare_digest(supplied.encode(), token.encode())

    async def handle(request: Request) -> Response:
        if not authorised(request):
            return JSONResponse({"error": "missing or wrong codec token"}, status_code=401)
        try:
            payloads = json_format.Parse(await request.body(), Payloads())
        except json_format.ParseError as exc:
            return JSONResponse({"error": f"body is not a Payloads JSON document: {exc}"}, status_code=400)
        transform = codec.decode if request.url.path.endswith("/decode") else codec.encode
        try:
            result = Payloads(payloads=await transform(list(payloads.payloads)))
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return Response(json_format.MessageToJson(result), media_type="application/json")

    routes = [
        Route(path, handle, methods=["POST"])
        for path in ("/decode", "/encode", "/t/{token}/decode", "/t/{token}/encode")
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
