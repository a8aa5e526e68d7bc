"""One signed, rate-limited Kaufland call, with every failure sorted into the
error taxonomy: transport, 5xx and 429 are retryable; other 4xx are business
errors carrying Kaufland's `errors[]` (each naming its field)."""

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx

from activities.marketplaces.kaufland.ratelimit import account_limiter
from activities.marketplaces.kaufland.signing import signed_headers
from activities.marketplaces.kaufland.wire import ErrorResponse
from domain.config import KauflandChannelConfig
from domain.errors import BusinessError, MarketplaceUnavailable, RateLimited, Violation

log = logging.getLogger(__name__)

USER_AGENT = "ordertide"
# Problem types that mean "look at the unit again", not "no".
DUPLICATE_ACTION = "/problems/duplicate-action"
CANCEL_NOT_POSSIBLE = "/problems/order-units/cancel-not-possible"


class KauflandRefused(BusinessError):
    """Kaufland answered 4xx; `problem_type` is its problem URI (may be empty)."""

    def __init__(self, message: str, problem_type: str, violations: list[Violation], status: int):
        super().__init__(message, violations=violations, status=status)
        self.problem_type = problem_type

    @property
    def needs_reread(self) -> bool:
        return self.problem_type.endswith((DUPLICATE_ACTION, CANCEL_NOT_POSSIBLE))


class KauflandHttp:
    def __init__(
        self,
        config: KauflandChannelConfig,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ):
        if not config.has_credentials or config.secret_key is None:
            raise ValueError("kaufland channel has no client_key/secret_key configured")
        self.base_url = config.api_base_url.rstrip("/")
        self.storefront = config.storefront
        self._client_key = config.client_key or ""
        self._secret_key = config.secret_key.get_secret_value()
        self._clock = clock
        self._per_second = config.requests_per_second
        self.client = httpx.AsyncClient(
            transport=transport, timeout=config.request_timeout.total_seconds(), follow_redirects=False
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        ok: tuple[int, ...] = (200, 201, 204),
    ) -> httpx.Response:
        # Serialised once: these bytes are signed and these bytes are sent.
        body = b"" if json_body is None else json.dumps(json_body, separators=(",", ":")).encode()
        request = self.client.build_request(method, self.base_url + path, params=params, content=body)
        timestamp = int(self._clock())
        request.headers.update(
            signed_headers(self._client_key, self._secret_key, method, str(request.url), body, timestamp)
        )
        request.headers["Accept"] = "application/json"
        request.headers["User-Agent"] = USER_AGENT
        if body:
            request.headers["Content-Type"] = "application/json"
        else:
            request.headers.pop("Content-Type", None)
        await account_limiter(self._client_key, self._per_second).acquire()
        try:
            response = await self.client.send(request)
        except httpx.TransportError as exc:
            raise MarketplaceUnavailable(f"kaufland {method} {path} failed: {exc!r}") from exc
        log.debug("kaufland %s %s -> %s", method, path, response.status_code)
        if response.status_code in ok:
            return response
        raise error_from(method, path, response)

    async def data(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET the `data` envelope of a 200."""
        response = await self.call("GET", path, params=params)
        return response.json().get("data")


def _problem(response: httpx.Response) -> ErrorResponse:
    try:
        return ErrorResponse.model_validate(response.json())
    except ValueError:
        return ErrorResponse(message=response.text[:500] or f"HTTP {response.status_code}")


def error_from(method: str, path: str, response: httpx.Response) -> Exception:
    status = response.status_code
    problem = _problem(response)
    where = f"kaufland {method} {path}"
    if status == 429:
        # Kaufland sends no Retry-After: the retry policy's backoff decides.
        return RateLimited(f"{where}: too many requests")
    if status >= 500 or status == 408:
        return MarketplaceUnavailable(f"{where}: {status} {problem.message}".strip())
    violations = [Violation(name=e.field or "request", reason=e.message) for e in problem.errors]
    return KauflandRefused(f"{where}: {problem.message}", problem.type or "", violations, status)
