"""The supplier portal sandbox as an ASGI app.

Supplier API (header X-Api-Key):
  GET  /api/v1/orders?from=ISO&to=ISO&page=1&per_page=50   orders placed in the range, oldest first
  GET  /api/v1/orders/{order_number}
  POST /api/v1/orders/{order_number}/status   {"status", "note", "lines"?, "tracking"?, "carrier"?, "update_id"?}
  PUT  /api/v1/stock                          {"items": [{"sku", "stock", "price"}]}
Control API (no auth; tests and the demo):
  POST /_sandbox/orders            place an order (and push it to the webhook urls)
  GET  /_sandbox/orders            every order with its status
  GET  /_sandbox/orders/{number}   the order with its status history and notes
  POST /_sandbox/orders/{number}/manual-status   {"status", "note"}: ops editing ORDER HISTORY by hand
  POST /_sandbox/pushes            push again, duplicated, malformed, signed wrong or stale
  GET  /_sandbox/stock             the last stock feed per SKU
  PUT  /_sandbox/webhooks          {"urls": [...]}: where placed orders are pushed
  GET  /_sandbox/drops             where the SFTP server and the mail server listen
  POST /_sandbox/drops             deliver again by file or mail: {"order_number", "deliver"?: ["file", "mail"],
                                   "repeat"?: n, "malformed"?: "missing_column"|"bad_quantity"|"no_order_number"}
A placed order is also delivered by file and mail when the sandbox has them
(sftp_root, mail_root), or by those its "deliver" names."""

import contextlib
import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.supplier.config import SupplierSandboxConfig
from sandbox.supplier.desk import DELIVERY_MODES, DropDesk
from sandbox.supplier.drops import Malformed
from sandbox.supplier.pushes import Pusher
from sandbox.supplier.state import PortalState


def _error(status: int, message: str, field: str | None = None) -> JSONResponse:
    return JSONResponse({"error": message, "field": field}, status_code=status)


async def _json(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError as exc:
        raise ValueError(f"body: not JSON ({exc})") from None
    if not isinstance(body, dict):
        raise ValueError("body: not a JSON object")
    return body


def create_app(
    config: SupplierSandboxConfig | None = None,
    clock: Callable[[], datetime] | None = None,
    push_transport: httpx.AsyncBaseTransport | None = None,
) -> Starlette:
    """`push_transport` (tests) carries the pushes in-process."""
    state = PortalState(config or SupplierSandboxConfig(), clock)
    pusher = Pusher(state, push_transport)
    desk = DropDesk(state.config)

    def authorised(request: Request) -> bool:
        return request.headers.get("X-Api-Key") == state.config.api_key

    async def list_orders(request: Request) -> Response:
        if not authorised(request):
            return _error(401, "X-Api-Key: missing or wrong")
        try:
            start = datetime.fromisoformat(request.query_params["from"])
            end = datetime.fromisoformat(request.query_params["to"])
            page = int(request.query_params.get("page", "1"))
            per_page = int(request.query_params.get("per_page", "50"))
        except KeyError as exc:
            return _error(400, f"{exc.args[0]}: required", exc.args[0])
        except ValueError as exc:
            return _error(400, f"query: {exc}")
        if start.tzinfo is None or end.tzinfo is None:
            return _error(400, "from, to: need a UTC offset", "from")
        if page < 1 or not 1 <= per_page <= state.config.max_page_size:
            return _error(400, f"page >= 1, 1 <= per_page <= {state.config.max_page_size}", "per_page")
        found = state.in_range(start, end)
        total_pages = max(1, -(-len(found) // per_page))
        chunk = found[(page - 1) * per_page : page * per_page]
        return JSONResponse({"orders": [r.delivered() for r in chunk], "page": page, "total_pages": total_pages})

    async def get_order(request: Request) -> Response:
        if not authorised(request):
            return _error(401, "X-Api-Key: missing or wrong")
        record = state.visible(request.path_params["number"])
        if record is None:
            return _error(404, "no such order")
        return JSONResponse(record.delivered())

    async def post_status(request: Request) -> Response:
        if not authorised(request):
            return _error(401, "X-Api-Key: missing or wrong")
        if not state.config.status_api:
            return _error(405, "this portal takes status updates in ORDER HISTORY only")
        record = state.visible(request.path_params["number"])
        if record is None:
            return _error(404, "no such order")
        try:
            record = state.update_status(record.number, await _json(request), by="api")
        except ValueError as exc:
            return _error(422, str(exc), str(exc).split(":", 1)[0])
        return JSONResponse({"order_number": record.number, "status": record.status})

    async def put_stock(request: Request) -> Response:
        if not authorised(request):
            return _error(401, "X-Api-Key: missing or wrong")
        if not state.config.stock_feed:
            return _error(405, "this portal takes no stock feed")
        try:
            items = (await _json(request)).get("items")
        except ValueError as exc:
            return _error(400, str(exc))
        if not isinstance(items, list):
            return _error(400, "items: a list", "items")
        return JSONResponse({"results": state.take_stock(items)})

    # Control API.

    async def place(request: Request) -> Response:
        try:
            body = await _json(request)
            record = state.place(body)
        except ValueError as exc:
            return _error(400, str(exc))
        pushed: list[list[int | str]] = []
        if body.get("push", True):
            payload = str(body.get("push_payload", "full"))
            for url in state.config.webhook_urls:
                pushed.append(await pusher.push(url, pusher.order_body(record.number, payload)))
        modes = body.get("deliver", desk.modes)
        if not isinstance(modes, list) or not set(modes) <= set(DELIVERY_MODES):
            return _error(400, f"deliver: a list of {', '.join(DELIVERY_MODES)}", "deliver")
        try:
            delivered = await desk.deliver(record.delivered(), modes)
        except ValueError as exc:
            return _error(400, str(exc), "deliver")
        return JSONResponse({"order_number": record.number, "pushes": pushed, "delivered": delivered}, status_code=201)

    async def drops(request: Request) -> Response:
        if request.method == "GET":
            return JSONResponse(desk.describe())
        try:
            body = await _json(request)
            record = state.orders.get(str(body.get("order_number")))
            if record is None:
                raise ValueError("order_number: unknown")
            modes = body.get("deliver", desk.modes)
            if not isinstance(modes, list) or not set(modes) <= set(DELIVERY_MODES):
                raise ValueError(f"deliver: a list of {', '.join(DELIVERY_MODES)}")
            malformed = Malformed(body["malformed"]) if body.get("malformed") else None
            repeat = int(body.get("repeat", 1))
            delivered = await desk.deliver(record.delivered(), modes, malformed, repeat)
        except ValueError as exc:
            return _error(400, str(exc))
        return JSONResponse({"delivered": delivered})

    async def list_all(_: Request) -> Response:
        return JSONResponse(
            [{"order_number": r.number, "status": r.status, "updates": len(r.history)} for r in state.orders.values()]
        )

    async def show(request: Request) -> Response:
        record = state.orders.get(request.path_params["number"])
        if record is None:
            return _error(404, "no such order")
        return JSONResponse(
            {
                **record.delivered(),
                "visible_at": record.visible_at.isoformat(),
                "history": [u.json() for u in record.history],
            }
        )

    async def manual_status(request: Request) -> Response:
        number = request.path_params["number"]
        if number not in state.orders:
            return _error(404, "no such order")
        try:
            record = state.update_status(number, await _json(request), by="manual")
        except ValueError as exc:
            return _error(400, str(exc))
        return JSONResponse({"order_number": record.number, "status": record.status})

    async def push(request: Request) -> Response:
        """{"order_number", "url"?, "repeat"?: n, "payload"?: "full"|"number",
        "raw"?: body sent as is (malformed on purpose), "signature"?: "good"|"bad"|"none",
        "timestamp_offset_seconds"?: a stale or future timestamp}"""
        try:
            body = await _json(request)
        except ValueError as exc:
            return _error(400, str(exc))
        urls = [body["url"]] if body.get("url") else state.config.webhook_urls
        if not urls:
            return _error(400, "url: none given and no webhook urls configured")
        if "raw" in body:
            content = str(body["raw"]).encode()
        elif body.get("order_number") in state.orders:
            content = pusher.order_body(str(body["order_number"]), str(body.get("payload", "full")))
        else:
            return _error(400, "order_number: unknown (or give raw)")
        answers = []
        for _ in range(int(body.get("repeat", 1))):
            for url in urls:
                answers.append(
                    await pusher.push(
                        url,
                        content,
                        signature=str(body.get("signature", "good")),
                        timestamp_offset=float(body.get("timestamp_offset_seconds", 0)),
                        attempts=int(body.get("attempts", 0)) or None,
                    )
                )
        return JSONResponse({"answers": answers})

    async def stock(_: Request) -> Response:
        return JSONResponse({"feeds": state.stock_feeds, "stock": state.stock})

    async def webhooks(request: Request) -> Response:
        try:
            urls = (await _json(request)).get("urls")
        except ValueError as exc:
            return _error(400, str(exc))
        if not isinstance(urls, list) or not all(isinstance(u, str) for u in urls):
            return _error(400, "urls: a list of URLs")
        state.config.webhook_urls = urls
        return JSONResponse({"urls": urls})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await desk.start()
        try:
            yield
        finally:
            await desk.stop()
            await pusher.aclose()

    app = Starlette(
        routes=[
            Route("/api/v1/orders", list_orders, methods=["GET"]),
            Route("/api/v1/orders/{number}", get_order, methods=["GET"]),
            Route("/api/v1/orders/{number}/status", post_status, methods=["POST"]),
            Route("/api/v1/stock", put_stock, methods=["PUT"]),
            Route("/_sandbox/orders", place, methods=["POST"]),
            Route("/_sandbox/orders", list_all, methods=["GET"]),
            Route("/_sandbox/orders/{number}", show, methods=["GET"]),
            Route("/_sandbox/orders/{number}/manual-status", manual_status, methods=["POST"]),
            Route("/_sandbox/pushes", push, methods=["POST"]),
            Route("/_sandbox/stock", stock, methods=["GET"]),
            Route("/_sandbox/webhooks", webhooks, methods=["PUT"]),
            Route("/_sandbox/drops", drops, methods=["GET", "POST"]),
        ],
        lifespan=lifespan,
    )
    app.state.portal = state
    app.state.drops = desk
    return app
