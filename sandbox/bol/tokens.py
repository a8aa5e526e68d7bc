"""Client-credentials tokens. They are signed JWTs checked by signature, not
looked up: like bol's, a token stays valid for any sandbox with the same
credentials (engines cache tokens per token URL, across sandbox restarts)."""

import base64
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

CLOCK_SKEW = timedelta(seconds=1)


@dataclass(frozen=True)
class Rejection:
    """A bearer token that is not accepted: expired (or revoked) at
    `expired_at`, or not one of ours at all when that is None."""

    expired_at: datetime | None = None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenIssuer:
    def __init__(self) -> None:
        self._revoked: dict[str, datetime] = {}

    def issue(self, client_id: str, client_secret: str, ttl_seconds: int, now: datetime) -> str:
        header = {"alg": "HS256", "typ": "JWT"}
        claims = {
            "sub": client_id,
            "scope": "RETAILER",
            "iat": int(now.timestamp()),
            "exp": int(now.timestamp()) + ttl_seconds,
            "jti": uuid.uuid4().hex,
        }
        unsigned = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
        return f"{unsigned}.{_sign(unsigned, client_id, client_secret)}"

    def check(self, token: str, client_id: str, client_secret: str, now: datetime) -> Rejection | None:
        """None when the token is good."""
        claims = _verified_claims(token, client_id, client_secret)
        if claims is None:
            return Rejection()
        revoked_at = self._revoked.get(str(claims.get("jti")))
        if revoked_at is not None:
            return Rejection(expired_at=revoked_at)
        expires_at = datetime.fromtimestamp(claims["exp"], tz=UTC)
        if now > expires_at + CLOCK_SKEW:
            return Rejection(expired_at=expires_at)
        return None

    def revoke(self, token: str, now: datetime) -> None:
        claims = _claims(token)
        if claims is not None and "jti" in claims:
            self._revoked.setdefault(str(claims["jti"]), now)

    def reset(self) -> None:
        self._revoked.clear()


def _sign(unsigned: str, client_id: str, client_secret: str) -> str:
    key = f"{client_id}:{client_secret}".encode()
    return _b64(hmac.new(key, unsigned.encode(), hashlib.sha256).digest())


def _claims(token: str) -> dict[str, Any] | None:
    try:
        claims = json.loads(_unb64(token.split(".")[1]))
    except (IndexError, ValueError):
        return None
    return claims if isinstance(claims, dict) else None


def _verified_claims(token: str, client_id: str, client_secret: str) -> dict[str, Any] | None:
    parts = token.split(".")
    if len(parts) != 3 or not hmac.compare_digest(parts[2], _sign(f"{parts[0]}.{parts[1]}", client_id, client_secret)):
        return None
    claims = _claims(token)
    if claims is None or not isinstance(claims.get("exp"), int):
        return None
    return claims
