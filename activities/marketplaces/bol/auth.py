"""bol.com client-credentials tokens: reused until shortly before expiry,
refreshed by one request at a time. bol blocks clients that fetch a token per
call, so the cache is per client id for the whole process."""

import asyncio
import hashlib
import time
from dataclasses import dataclass

import httpx

from domain.errors import BusinessError, MarketplaceUnavailable

# Refresh this long before expiry: covers bol's 1 s clock skew and slow requests.
REFRESH_MARGIN_SECONDS = 30.0


@dataclass
class _Token:
    value: str
    expires_at: float  # time.monotonic()


_tokens: dict[tuple[str, str, str], _Token] = {}


class TokenProvider:
    def __init__(self, http: httpx.AsyncClient, token_url: str, client_id: str, client_secret: str):
        self._http = http
        self._url = token_url
        # The secret is part of the key: a token fetched with the right
        # secret must not make a mistyped one look accepted.
        self._key = (token_url, client_id, hashlib.sha256(client_secret.encode()).hexdigest())
        self._auth = httpx.BasicAuth(client_id, client_secret)
        self._lock = asyncio.Lock()
        self.requests = 0

    def _cached(self) -> str | None:
        token = _tokens.get(self._key)
        if token and token.expires_at - REFRESH_MARGIN_SECONDS > time.monotonic():
            return token.value
        return None

    async def token(self) -> str:
        cached = self._cached()
        if cached:
            return cached
        async with self._lock:
            # Whoever waited on the lock finds the token the first caller fetched.
            return self._cached() or await self._fetch()

    def invalidate(self, value: str) -> None:
        token = _tokens.get(self._key)
        if token and token.value == value:
            del _tokens[self._key]

    async def _fetch(self) -> str:
        self.requests += 1
        try:
            response = await self._http.post(
                self._url,
                data={"grant_type": "client_credentials"},
                auth=self._auth,
                headers={"Accept": "application/json"},
            )
        except httpx.TransportError as exc:
            raise MarketplaceUnavailable(f"bol token endpoint unreachable: {exc!r}") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise MarketplaceUnavailable(f"bol token endpoint answered {response.status_code}")
        if response.status_code != 200:
            body = response.json() if response.content else {}
            reason = body.get("error_description") or body.get("detail") or response.text
            raise BusinessError(f"bol rejected the credentials: {reason}", status=response.status_code)
        body = response.json()
        token = _Token(body["access_token"], time.monotonic() + float(body.get("expires_in", 299)))
        _tokens[self._key] = token
        return token.value
