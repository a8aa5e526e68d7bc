"""Kaufland's request signature, checked the way Kaufland documents it
(the "Rest API" page): hex HMAC-SHA256 with the secret key over
METHOD, full URL with query, exact body, timestamp, joined by newlines.
Written here from the documentation, not borrowed from the adapter."""

import hashlib
import hmac

from starlette.requests import Request


def signed_url(request: Request) -> str:
    """The URL exactly as the client asked for it (raw path and query)."""
    scope = request.scope
    raw_path = scope.get("raw_path") or scope["path"].encode()
    url = f"{request.url.scheme}://{request.url.netloc}{raw_path.decode('latin-1')}"
    query = scope.get("query_string", b"")
    return f"{url}?{query.decode('latin-1')}" if query else url


def expected(secret_key: str, method: str, url: str, body: bytes, timestamp: str) -> str:
    message = method.upper().encode() + b"\n" + url.encode() + b"\n" + body + b"\n" + timestamp.encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def matches(secret_key: str, method: str, url: str, body: bytes, timestamp: str, given: str) -> bool:
    return hmac.compare_digest(expected(secret_key, method, url, body, timestamp), given.strip().lower())
