"""Units (the seller's offers) and inventory-command import files:
GET/POST /units, GET/PATCH/DELETE /units/{id_unit},
POST/GET /import-files/inventory-command, GET .../{id_import_file}."""

from typing import Any

from sandbox.kaufland.gateway import ApiCall, api_route
from sandbox.kaufland.import_files import import_file_wire
from sandbox.kaufland.problems import KauflandProblem, invalid, not_found
from sandbox.kaufland.units import Refused, unit_wire

STOREFRONTS = frozenset({"de", "cz", "sk", "pl", "at", "fr", "it"})
MAX_UNITS_PAGE = 100
MAX_FILES_PAGE = 30


def problem(refused: Refused) -> KauflandProblem:
    errors = [{"field": name, "message": message} for name, message in refused.errors]
    return KauflandProblem(refused.status, str(refused), f"/problems/{refused.kind}", errors)


def _storefront(call: ApiCall) -> str:
    # Required on every units and import-file endpoint.
    storefront = call.query("storefront")
    if storefront not in STOREFRONTS:
        raise invalid("storefront", f"is required, one of {', '.join(sorted(STOREFRONTS))}")
    return storefront


def _page(call: ApiCall, items: list[Any], most: int) -> dict[str, Any]:
    limit = call.query_int("limit", 30, 0, most)
    offset = call.query_int("offset", 0, 0, 2**31 - 1)
    return {
        "data": items[offset : offset + limit],
        "pagination": {"offset": offset, "limit": limit, "total": len(items)},
    }


def list_units(call: ApiCall) -> tuple[int, dict[str, Any]]:
    storefront = _storefront(call)
    embedded = {part for value in call.query_list("embedded") for part in value.split(",")}
    with call.sandbox.lock:
        units = call.sandbox.units.listed(storefront, id_offer=call.query("id_offer"), ean=call.query("ean"))
        page = _page(call, units, MAX_UNITS_PAGE)
        page["data"] = [unit_wire(u, products="products" in embedded) for u in page["data"]]
    return 200, page


def create_unit(call: ApiCall) -> tuple[int, dict[str, Any]]:
    storefront = _storefront(call)
    body = call.json()
    with call.sandbox.lock:
        try:
            unit = call.sandbox.units.create(storefront, body, call.sandbox.now())
        except Refused as refused:
            raise problem(refused) from None
        return 200, {"data": unit_wire(unit)}


def get_unit(call: ApiCall) -> tuple[int, dict[str, Any]]:
    storefront = _storefront(call)
    with call.sandbox.lock:
        try:
            return 200, {"data": unit_wire(call.sandbox.units.get(call.path_int("id_unit"), storefront))}
        except Refused as refused:
            raise problem(refused) from None


def patch_unit(call: ApiCall) -> tuple[int, dict[str, Any]]:
    storefront = _storefront(call)
    body = call.json()
    with call.sandbox.lock:
        try:
            unit = call.sandbox.units.patch(call.path_int("id_unit"), storefront, body, call.sandbox.now())
        except Refused as refused:
            raise problem(refused) from None
        return 200, {"data": unit_wire(unit)}


def delete_unit(call: ApiCall) -> tuple[int, None]:
    storefront = _storefront(call)
    with call.sandbox.lock:
        try:
            call.sandbox.units.delete(call.path_int("id_unit"), storefront)
        except Refused as refused:
            raise problem(refused) from None
    return 204, None


def register_file(call: ApiCall) -> tuple[int, dict[str, Any]]:
    storefront = _storefront(call)
    body = call.json()
    extra = sorted(set(body) - {"url"})
    if extra:
        raise invalid(extra[0], "is not allowed")
    url = body.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise invalid("url", "is required: the http(s) URL the file is downloaded from")
    upload = call.sandbox.imports.register(storefront, url)
    with call.sandbox.lock:
        return 201, {"data": import_file_wire(upload)}


def list_files(call: ApiCall) -> tuple[int, dict[str, Any]]:
    storefront = _storefront(call)
    status = call.query("status")
    with call.sandbox.lock:
        files = [
            import_file_wire(f)
            for f in call.sandbox.imports.files.values()
            if f.storefront == storefront and status in (None, f.status)
        ]
    return 200, _page(call, files, MAX_FILES_PAGE)


def get_file(call: ApiCall) -> tuple[int, dict[str, Any]]:
    storefront = _storefront(call)
    with call.sandbox.lock:
        upload = call.sandbox.imports.get(call.path_int("id_import_file"), storefront)
        if upload is None:
            raise not_found(f"Import file {call.path_str('id_import_file')}")
        return 200, {"data": import_file_wire(upload)}


routes = [
    api_route("GET", "/units", list_units),
    api_route("POST", "/units", create_unit),
    api_route("GET", "/units/{id_unit}", get_unit),
    api_route("PATCH", "/units/{id_unit}", patch_unit),
    api_route("DELETE", "/units/{id_unit}", delete_unit),
    api_route("POST", "/import-files/inventory-command", register_file),
    api_route("GET", "/import-files/inventory-command", list_files),
    api_route("GET", "/import-files/inventory-command/{id_import_file}", get_file),
]
