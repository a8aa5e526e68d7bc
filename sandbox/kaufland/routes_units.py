"""The units and inventory import-file endpoints of the Seller API v2, and
the control API's view of the units (with each amount's history), over a
UnitBook and an ImportQueue. Paths are relative to the API's base (/v2)."""

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.kaufland.import_files import ImportQueue, import_file_wire
from sandbox.kaufland.units import Refused, UnitBook, unit_wire

STOREFRONTS = ("de", "cz", "sk", "pl", "at", "fr", "it")
MAX_UNITS_PAGE = 100
MAX_FILES_PAGE = 30


def problem(refused: Refused) -> JSONResponse:
    body = {
        "type": f"/problems/{refused.kind}",
        "message": str(refused),
        "errors": [{"field": name, "message": message} for name, message in refused.errors],
    }
    return JSONResponse(body, status_code=refused.status)


def _storefront(request: Request) -> str:
    storefront = request.query_params.get("storefront")
    if storefront not in STOREFRONTS:
        raise Refused(
            "Request parameters have invalid values",
            [("storefront", f"is required, one of {', '.join(STOREFRONTS)}")],
        )
    return storefront


def _int(request: Request, name: str, default: int, maximum: int | None = None) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or (maximum is not None and int(raw) > maximum):
        limit = f" of at most {maximum}" if maximum is not None else ""
        raise Refused("Request parameters have invalid values", [(name, f"must be a whole number{limit}")])
    return int(raw)


def _path_id(request: Request, name: str) -> int:
    raw = request.path_params[name]
    if not raw.isdigit() or int(raw) < 1:
        raise Refused("Request parameters have invalid values", [(name, "must be a positive integer")])
    return int(raw)


async def _json(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        raise Refused("Request parameters have invalid values", [("body", "is not valid JSON")]) from None


def unit_routes(book: UnitBook, imports: ImportQueue) -> list[Route]:
    async def list_units(request: Request) -> Response:
        storefront = _storefront(request)
        limit = _int(request, "limit", 30, MAX_UNITS_PAGE)
        offset = _int(request, "offset", 0)
        embedded = request.query_params.getlist("embedded")
        products = "products" in embedded or any("products" in e.split(",") for e in embedded)
        units = book.listed(
            storefront, id_offer=request.query_params.get("id_offer"), ean=request.query_params.get("ean")
        )
        page = units[offset : offset + limit]
        return JSONResponse(
            {
                "data": [unit_wire(u, products=products) for u in page],
                "pagination": {"offset": offset, "limit": limit, "total": len(units)},
            }
        )

    async def create_unit(request: Request) -> Response:
        unit = book.create(_storefront(request), await _json(request))
        return JSONResponse({"data": unit_wire(unit)})

    async def one_unit(request: Request) -> Response:
        storefront = _storefront(request)
        id_unit = _path_id(request, "id_unit")
        if request.method == "DELETE":
            book.delete(id_unit, storefront)
            return Response(status_code=204)
        if request.method == "PATCH":
            unit = book.patch(id_unit, storefront, await _json(request))
        else:
            unit = book.get(id_unit, storefront)
        return JSONResponse({"data": unit_wire(unit)})

    async def register_file(request: Request) -> Response:
        storefront = _storefront(request)
        body = await _json(request)
        url = body.get("url") if isinstance(body, dict) else None
        extra = sorted(set(body) - {"url"}) if isinstance(body, dict) else []
        if not isinstance(url, str) or not url.startswith(("http://", "https://")) or extra:
            why = [("url", "is required: the http(s) URL the file is downloaded from")]
            raise Refused("Request parameters have invalid values", why + [(name, "is not allowed") for name in extra])
        upload = imports.register(storefront, url)
        return JSONResponse({"data": import_file_wire(upload)}, status_code=201)

    async def list_files(request: Request) -> Response:
        storefront = _storefront(request)
        limit = _int(request, "limit", 30, MAX_FILES_PAGE)
        offset = _int(request, "offset", 0)
        status = request.query_params.get("status")
        files = [
            f for f in imports.files.values() if f.storefront == storefront and (status is None or f.status == status)
        ]
        page = files[offset : offset + limit]
        return JSONResponse(
            {
                "data": [import_file_wire(f) for f in page],
                "pagination": {"offset": offset, "limit": limit, "total": len(files)},
            }
        )

    async def one_file(request: Request) -> Response:
        storefront = _storefront(request)
        upload = imports.get(_path_id(request, "id_import_file"), storefront)
        if upload is None:
            raise Refused("Import file not found", [], status=404, kind="not-found")
        return JSONResponse({"data": import_file_wire(upload)})

    def guarded(handler: Any) -> Any:
        async def run(request: Request) -> Response:
            try:
                response: Response = await handler(request)
            except Refused as refused:
                return problem(refused)
            return response

        return run

    return [
        Route("/units", guarded(list_units), methods=["GET"]),
        Route("/units", guarded(create_unit), methods=["POST"]),
        Route("/units/{id_unit}", guarded(one_unit), methods=["GET", "PATCH", "DELETE"]),
        Route("/import-files/inventory-command", guarded(register_file), methods=["POST"]),
        Route("/import-files/inventory-command", guarded(list_files), methods=["GET"]),
        Route("/import-files/inventory-command/{id_import_file}", guarded(one_file), methods=["GET"]),
    ]


def unit_control_routes(book: UnitBook) -> list[Route]:
    """Under the control API: every unit with its amount's history, and portal edits (drift)."""

    async def all_units(request: Request) -> Response:
        units = [
            {**unit_wire(u), "ean": u.ean, "history": [{"at": at.isoformat(), "amount": n} for at, n in u.history]}
            for u in book.listed_everywhere()
        ]
        return JSONResponse(units)

    async def drift(request: Request) -> Response:
        body = await request.json()
        allowed = {"amount", "listing_price", "handling_time"}
        unit = book.drift(int(request.path_params["id_unit"]), **{k: int(v) for k, v in body.items() if k in allowed})
        return JSONResponse(unit_wire(unit))

    return [
        Route("/units", all_units, methods=["GET"]),
        Route("/units/{id_unit:int}/drift", drift, methods=["POST"]),
    ]
