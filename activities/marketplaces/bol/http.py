"""One authenticated, rate-aware bol.com HTTP call, with every failure sorted
into the error taxonomy: transport/5xx/429 are retryable, 4xx are business
errors carrying bol's violations."""

import logging
from typing import Any

import httpx

from activities.marketplaces.bol.auth import TokenProvider
from activities.marketplaces.bol.ratelimit import RateGate, endpoint_key
from activities.marketplaces.bol.wire import Problem
from activities.retry import retry_after
from domain.config import BolChannelConfig
from domain.errors import BusinessError, MarketplaceUnavailable, RateLimited, Violation

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/vnd.retailer.v10+json"


class BolHttp:
    def __init__(self, config: BolChannelConfig, transport: httpx.AsyncBaseTransport | None = None):
        if not config.has_credentials or config.client_secret is None:  # the second test narrows the type
            raise ValueError("bol channel has no client_id/client_secret configured")
        self.base_url = config.api_base_url.rstrip("/")
        self.client = httpx.AsyncClient(
            transport=transport, timeout=config.request_timeout.total_seconds(), follow_redirects=False
        )
        self.tokens = TokenProvider(
            self.client, config.token_url, config.client_id or "", config.client_secret.get_secret_value()
        )
        self.gate = RateGate()

    async def aclose(self) -> None:
        await self.client.aclose()

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        accept: str = MEDIA_TYPE,
        ok: tuple[int, ...] = (200, 202),
    ) -> httpx.Response:
        key = endpoint_key(method, path)
        await self.gate.wait_turn(key)
        try:
            response = await self._send(method, path, params, json, accept, files)
            if response.status_code == 401:
                # An expired (bol's clocks run a little ahead) or revoked token:
                # _send dropped it, so this try fetches (or shares) a fresh one.
                response = await self._send(method, path, params, json, accept, files)
        except BaseException:
            self.gate.failed(key)
            raise
        self.gate.observe(key, response)
        if response.status_code in ok:
            return response
        raise _error(method, path, response)

    async def _send(
        self,
        method: str,
        path: str,
        params: dict[str, Any] | None,
        json: Any,
        accept: str,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> httpx.Response:
        token = await self.tokens.token()
        headers = {"Authorization": f"Bearer {token}", "Accept": accept}
        if json is not None:
            headers["Content-Type"] = MEDIA_TYPE
        try:
            response = await self.client.request(
                method, self.base_url + path, params=params, json=json, files=files, headers=headers
            )
        except httpx.TransportError as exc:
            raise MarketplaceUnavailable(f"bol {method} {path} failed: {exc!r}") from exc
        log.debug(
            "bol %s %s -> %s (request id %s)",
            method,
            path,
            response.status_code,
            response.headers.get("X-Request-ID"),
        )
        if response.status_code == 401:
            self.tokens.invalidate(token)
        return response


def _problem(response: httpx.Response) -> Problem:
    try:
        return Problem.model_validate(response.json())
    except ValueError:
        return Problem(status=response.status_code, detail=response.text[:500])


def _error(method: str, path: str, response: httpx.Response) -> Exception:
    status = response.status_code
    problem = _problem(response)
    where = f"bol {method} {path}"
    if status == 429:
        return RateLimited(f"{where}: too many requests", retry_after=retry_after(response))
    if status >= 500 or status == 408:
        return MarketplaceUnavailable(f"{where}: {status} {problem.title or ''}".strip())
    if status == 401:
        # Even a token fetched a moment ago was refused: bol's token service
        # and API disagree for a while (clock skew, key rotation). Wrong
        # credentials fail at the token endpoint itself, as a business error.
        return MarketplaceUnavailable(f"{where}: a fresh token was refused ({problem.detail or problem.title})")
    message = problem.detail or problem.title or f"HTTP {status}"
    violations = [Violation(name=v.name, reason=v.reason) for v in problem.violations]
    return BusinessError(f"{where}: {message}", violations=violations, status=status)
