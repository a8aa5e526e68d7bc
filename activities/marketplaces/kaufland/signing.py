"""Kaufland's request signature (Seller API v2, "Rest API" page):

    hex(HMAC-SHA256(secret_key, METHOD \\n URI \\n BODY \\n TIMESTAMP))

URI is the full URL with its query string, BODY the exact bytes sent (empty
for GET and DELETE), TIMESTAMP the Unix seconds also sent as Shop-Timestamp.
A body re-serialised after signing (another key order, other spacing) no
longer matches, so the client signs the bytes it is about to send and sends
exactly those."""

import hashlib
import hmac

CLIENT_KEY_HEADER = "Shop-Client-Key"
TIMESTAMP_HEADER = "Shop-Timestamp"
SIGNATURE_HEADER = "Shop-Signature"


def signature(secret_key: str, method: str, url: str, body: bytes, timestamp: int) -> str:
    message = b"\n".join([method.upper().encode(), url.encode(), body, str(timestamp).encode()])
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(
    client_key: str, secret_key: str, method: str, url: str, body: bytes, timestamp: int
) -> dict[str, str]:
    return {
        CLIENT_KEY_HEADER: client_key,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret_key, method, url, body, timestamp),
    }


def valid(secret_key: str, method: str, url: str, body: bytes, timestamp: int, given: str) -> bool:
    """Constant-time check of a signature a caller sent (the sandbox's side)."""
    return hmac.compare_digest(signature(secret_key, method, url, body, timestamp), given.lower())
