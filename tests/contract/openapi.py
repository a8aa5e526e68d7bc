"""The vendors' OpenAPI documents as a test oracle.

load_spec() returns a vendor spec with the few defects that stop openapi-core
from reading it fixed — each fix below says why — plus the responses bol
documents only in prose, so that real bol responses validate.
ContractValidator checks httpx requests and responses against them; plug it
into any AsyncClient with `validator.transport(...)` and every exchange is
checked, errors collected in `validator.errors`."""

import copy
import functools
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.deserializing.media_types.util import json_loads, plain_loads
from openapi_core.templating.paths.exceptions import PathNotFound, ServerNotFound
from openapi_core.templating.paths.finders import APICallPathFinder
from openapi_core.validation.request.exceptions import ParameterValidationError
from werkzeug.datastructures import Headers, ImmutableMultiDict

SPEC_NAMES = ("bol-retailer-v10", "bol-shared-v10", "kaufland-seller-v2")
BOL_SPECS = ("bol-retailer-v10", "bol-shared-v10")
BOL_JSON = "application/vnd.retailer.v10+json"
BOL_CSV = "application/vnd.retailer.v10+csv"
BOL_PDF = "application/vnd.retailer.v10+pdf"
# Not in any spec: bol's token endpoint (login.bol.com) and the sandbox control API.
UNSPECIFIED_PATHS = ("/token", "/_sandbox/")
# The vendors' files as published, kept in the repository (see specs/SOURCES.md).
REPO_SPECS = Path(__file__).resolve().parents[2] / "specs"


def spec_dir() -> Path:
    configured = os.environ.get("ORDERTIDE_SPECS_DIR")
    directory = Path(configured) if configured else REPO_SPECS
    if not directory.is_dir():
        raise FileNotFoundError(
            f"OpenAPI specs not found: {directory} is not a directory. Set ORDERTIDE_SPECS_DIR to the folder "
            f"holding {', '.join(name + '.json' for name in SPEC_NAMES)}."
        )
    return directory


def load_spec(name: str) -> dict[str, Any]:
    """A normalised copy of the vendor spec `name` (see SPEC_NAMES)."""
    return copy.deepcopy(_normalised(name))


@functools.cache
def _normalised(name: str) -> dict[str, Any]:
    if name not in SPEC_NAMES:
        raise ValueError(f"unknown spec {name!r}; known: {', '.join(SPEC_NAMES)}")
    path = spec_dir() / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"OpenAPI spec {name} not found at {path}")
    # bol's published files contain U+2002 (EN SPACE) where a space belongs;
    # picqer strips it before decoding, and so do we, so a freshly downloaded
    # spec reads the same as the copies in specs/.
    spec = json.loads(path.read_text(encoding="utf-8").replace("\u2002", " "))
    _drop_in_from_http_security_schemes(spec)
    _numeric_defaults(spec)
    if name in BOL_SPECS:
        _bol_sends_empty_pages_as_empty_objects(spec)
        _bol_csv_reports(spec)
        _bol_pdf_labels(spec)
        _bol_prose_responses(spec)
    if name == "kaufland-seller-v2":
        _kaufland_prose_responses(spec)
    return spec


def _drop_in_from_http_security_schemes(spec: dict[str, Any]) -> None:
    # bol's bearer scheme carries `in: header`, which OpenAPI 3.0 allows only
    # for apiKey schemes; openapi-spec-validator rejects the whole document.
    for scheme in spec.get("components", {}).get("securitySchemes", {}).values():
        if scheme.get("type") == "http":
            scheme.pop("in", None)


def _numeric_defaults(node: Any) -> None:
    # Kaufland writes `default: "1"` on integer schemas (amount in Unit,
    # UnitEmbedded, UnitRequest, ProductUnitEmbedded); a default must have
    # the schema's type, so the spec validator rejects it.
    if isinstance(node, dict):
        if node.get("type") in ("integer", "number") and isinstance(node.get("default"), str):
            value = float(node["default"])
            node["default"] = int(value) if node["type"] == "integer" else value
        for child in node.values():
            _numeric_defaults(child)
    elif isinstance(node, list):
        for child in node:
            _numeric_defaults(child)


def _bol_sends_empty_pages_as_empty_objects(spec: dict[str, Any]) -> None:
    # An order or return list past its last page is `{}` on the real API
    # (recorded by picqer: 200-reduced-orders-empty), though the spec calls
    # the list key required.
    schemas = spec["components"]["schemas"]
    for schema, key in (("ReducedOrders", "orders"), ("ReturnsResponse", "returns")):
        if schema in schemas:
            schemas[schema]["required"] = [r for r in schemas[schema].get("required", []) if r != key]
            if not schemas[schema]["required"]:
                del schemas[schema]["required"]


def _bol_csv_reports(spec: dict[str, Any]) -> None:
    # The CSV reports (offer export, unpublished offers) document their 200
    # with no content at all, so nothing about the answer would be checked:
    # declare the CSV text, so at least the media type is. bol's generator
    # files these operations' Problems under the CSV media type too, but a
    # Problem is a JSON object (the sandbox sends it as v10+json, like every
    # other Problem): move them there.
    for item in spec["paths"].values():
        for method, operation in item.items():
            if method not in ("get", "put", "post", "delete", "patch"):
                continue
            responses = operation["responses"]
            if not any(BOL_CSV in response.get("content", {}) for response in responses.values()):
                continue
            for status, response in responses.items():
                content = response.get("content")
                if status == "200" and content is None:
                    response["content"] = {BOL_CSV: {"schema": {"type": "string"}}}
                elif status != "200" and content and BOL_CSV in content:
                    content[BOL_JSON] = content.pop(BOL_CSV)


def _bol_pdf_labels(spec: dict[str, Any]) -> None:
    # A shipping label's 200 is declared "string, format byte" (base64), but
    # bol sends the PDF itself, as its media type says: check it is a PDF
    # (_pdf_loads), and file the Problems under JSON as for the CSV reports.
    for item in spec["paths"].values():
        for method, operation in item.items():
            if method not in ("get", "put", "post", "delete", "patch"):
                continue
            for status, response in operation["responses"].items():
                content = response.get("content") or {}
                if BOL_PDF not in content:
                    continue
                if status == "200":
                    content[BOL_PDF] = {"schema": {"type": "string", "pattern": "^%PDF-"}}
                else:
                    content[BOL_JSON] = content.pop(BOL_PDF)


def _pdf_loads(value: bytes | str, **_: Any) -> str:
    raw = value if isinstance(value, bytes) else value.encode("latin-1")
    return raw.decode("latin-1")


def _bol_prose_responses(spec: dict[str, Any]) -> None:
    # bol documents these only in prose (conventions, rate limits,
    # authentication); every endpoint can answer them.
    schemas = spec["components"]["schemas"]
    # 401 and 429 bodies are shorter than a Problem: {"title","status","detail"}.
    schemas["ShortProblem"] = {
        "type": "object",
        "required": ["title", "status", "detail"],
        "properties": {"title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"}},
    }

    def body(schema: str, description: str, headers: dict[str, Any] | None = None) -> dict[str, Any]:
        response: dict[str, Any] = {
            "description": description,
            "content": {BOL_JSON: {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
        }
        if headers:
            response["headers"] = headers
        return response

    retry_after = {"Retry-After": {"required": False, "schema": {"type": "integer", "minimum": 0}}}
    for item in spec["paths"].values():
        for method, operation in item.items():
            if method not in ("get", "put", "post", "delete", "patch"):
                continue
            responses = operation["responses"]
            # Parameter and body violations are 400 Problems on every endpoint,
            # even where the spec lists no 400 (e.g. GET /retailer/orders?page=0).
            responses.setdefault("400", body("Problem", "Bad request"))
            responses.setdefault("401", body("ShortProblem", "Missing, invalid or expired access token"))
            responses.setdefault("406", body("Problem", "Not acceptable: wrong Accept header"))
            if "requestBody" in operation:
                responses.setdefault("415", body("Problem", "Unsupported media type: wrong Content-Type"))
            responses.setdefault("429", body("ShortProblem", "Too many requests", retry_after))
            for status in ("500", "502", "503", "504"):
                responses.setdefault(status, body("Problem", "Server error; retry later"))


def _kaufland_prose_responses(spec: dict[str, Any]) -> None:
    # Kaufland documents its rate limit in prose only ("111 requests per
    # second per seller", then 429), and a signature can be refused on any
    # operation, including those whose 401 the spec forgot: both answer an
    # ErrorResponse.
    error = {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
    }
    for item in spec["paths"].values():
        for method, operation in item.items():
            if method not in ("get", "put", "post", "delete", "patch"):
                continue
            responses = operation["responses"]
            responses.setdefault("401", {"description": "Request authentication headers are corrupt", **error})
            responses.setdefault("429", {"description": "Too many requests", **error})


@dataclass
class _Request:
    """An httpx.Request as openapi-core's Request protocol wants it (not frozen:
    the protocol declares `parameters` a settable attribute)."""

    host_url: str
    path: str
    method: str
    parameters: RequestParameters
    content_type: str
    body: bytes | None

    @classmethod
    def of(cls, request: httpx.Request) -> "_Request":
        url = request.url
        return cls(
            host_url=f"{url.scheme}://{url.netloc.decode()}",
            path=url.path,
            method=request.method.lower(),
            parameters=RequestParameters(
                query=ImmutableMultiDict(list(_query_pairs(url.query.decode()))),
                header=Headers(list(request.headers.items())),
                cookie=ImmutableMultiDict(),
            ),
            content_type=request.headers.get("content-type", "").lower(),
            body=request.content or None,
        )


@dataclass(frozen=True)
class _Response:
    status_code: int
    headers: Headers
    content_type: str
    data: bytes | None

    @classmethod
    def of(cls, response: httpx.Response) -> "_Response":
        return cls(
            status_code=response.status_code,
            headers=Headers(list(response.headers.items())),
            content_type=response.headers.get("content-type", "").lower(),
            data=response.content or None,
        )


def _query_pairs(query: str) -> Iterator[tuple[str, str]]:
    for key, values in parse_qs(query, keep_blank_values=True).items():
        for value in values:
            yield key, value


# RFC 3986: a scheme, then only unreserved, reserved and percent-encoded
# characters. openapi-core checks `format: uri` only with the optional
# rfc3987 package, so without this a raw "é" or space passed unseen.
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")


def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or _URI.fullmatch(value) is not None


@functools.cache
def _openapi(name: str) -> OpenAPI:
    # Checking a spec takes a second or two: once per test run is enough.
    # Vendor media types are JSON or CSV text; openapi-core only knows the generic ones.
    config = Config(
        extra_media_type_deserializers={BOL_JSON: json_loads, BOL_CSV: plain_loads, BOL_PDF: _pdf_loads},
        extra_format_validators={"uri": _is_uri},
    )
    return OpenAPI.from_dict(load_spec(name), config=config)


class ContractValidator:
    def __init__(self, spec_names: Iterable[str] = BOL_SPECS):
        self._apis = [(name, _openapi(name)) for name in spec_names]
        self.request_errors: list[str] = []
        self.response_errors: list[str] = []
        # "METHOD path -> status" for every exchange that was checked.
        self.checked: list[str] = []

    @property
    def errors(self) -> list[str]:
        return self.request_errors + self.response_errors

    def validate_request(self, request: httpx.Request) -> None:
        """Raises AssertionError naming the operation and what is wrong."""
        found = self._operation(request)
        if found is None:
            return
        name, api, operation = found
        problems = [_describe(error) for error in api.iter_request_errors(_Request.of(request))]
        if problems:
            raise AssertionError(f"request {operation} ({name}) breaks the spec:\n  " + "\n  ".join(problems))

    def validate_response(self, response: httpx.Response) -> None:
        """Raises AssertionError naming the operation and what is wrong."""
        found = self._operation(response.request)
        if found is None:
            return
        name, api, operation = found
        errors = api.iter_response_errors(_Request.of(response.request), _Response.of(response))
        problems = [_describe(error) for error in errors]
        if problems:
            raise AssertionError(
                f"response {response.status_code} to {operation} ({name}) breaks the spec:\n  "
                + "\n  ".join(problems)
                + f"\n  body: {response.text[:500]}"
            )

    def check(self, response: httpx.Response) -> None:
        """Validates a finished exchange, collecting errors instead of raising."""
        if self._skipped(response.request):
            return
        try:
            self.validate_request(response.request)
        except AssertionError as error:
            self.request_errors.append(str(error))
        try:
            self.validate_response(response)
        except AssertionError as error:
            self.response_errors.append(str(error))
        self.checked.append(f"{response.request.method} {response.request.url.path} -> {response.status_code}")

    def transport(self, inner: httpx.AsyncBaseTransport) -> "ValidatingTransport":
        return ValidatingTransport(inner, self)

    def assert_clean(self) -> None:
        if self.errors:
            raise AssertionError(f"{len(self.errors)} contract violation(s):\n" + "\n".join(self.errors))

    def _operation(self, request: httpx.Request) -> tuple[str, OpenAPI, str] | None:
        if self._skipped(request):
            return None
        for name, api in self._apis:
            try:
                found = APICallPathFinder(api.spec).find(request.method.lower(), str(request.url.copy_with(query=None)))
            except (PathNotFound, ServerNotFound):
                continue
            except Exception as error:  # OperationNotFound: the path is there, the method is not.
                raise AssertionError(f"{request.method} {request.url.path} ({name}): {error}") from error
            return name, api, f"{found.operation.get('operationId', '?')} [{request.method} {found.path.name}]"
        raise AssertionError(f"no operation for {request.method} {request.url.path} in {[n for n, _ in self._apis]}")

    @staticmethod
    def _skipped(request: httpx.Request) -> bool:
        return request.url.path.startswith(UNSPECIFIED_PATHS)


class ValidatingTransport(httpx.AsyncBaseTransport):
    """Wraps a transport; every exchange through it is checked by the validator."""

    def __init__(self, inner: httpx.AsyncBaseTransport, validator: ContractValidator):
        self._inner = inner
        self._validator = validator

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        response = await self._inner.handle_async_request(request)
        content = await response.aread()
        checked = httpx.Response(response.status_code, headers=response.headers, content=content, request=request)
        self._validator.check(checked)
        return checked

    async def aclose(self) -> None:
        await self._inner.aclose()


def _describe(error: BaseException) -> str:
    """What is wrong, on one line: the schema errors where there are any."""
    cause: BaseException | None = error
    while cause is not None:
        schema_errors = getattr(cause, "schema_errors", None)
        if schema_errors:
            found = [f"at {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in schema_errors]
            # Parameter errors name the parameter; body errors only repeat the body.
            where = f" ({error})" if isinstance(error, ParameterValidationError) else ""
            return f"{type(error).__name__}{where}: " + "; ".join(found)
        cause = cause.__cause__
    return f"{type(error).__name__}: {error}"
