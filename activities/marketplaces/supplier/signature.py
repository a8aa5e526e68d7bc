"""The portal's webhook signature: HMAC-SHA256 with the channel's shared
secret over `{timestamp}.{raw body}`, hex in `X-Portal-Signature` as
`sha256=<hex>`, the Unix timestamp in `X-Portal-Timestamp`. Signing the
timestamp with the body lets the receiver refuse a captured push replayed
outside the replay window."""

import hashlib
import hmac
from datetime import datetime, timedelta

SIGNATURE_HEADER = "X-Portal-Signature"
TIMESTAMP_HEADER = "X-Portal-Timestamp"


class BadSignature(ValueError):
    pass


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(
    secret: str, body: bytes, signature: str | None, timestamp: str | None, now: datetime, window: timedelta
) -> None:
    """Raise BadSignature saying why; the comparison takes constant time."""
    if not signature:
        raise BadSignature(f"no {SIGNATURE_HEADER} header")
    if not timestamp:
        raise BadSignature(f"no {TIMESTAMP_HEADER} header")
    try:
        sent = int(timestamp)
    except ValueError:
        raise BadSignature(f"{TIMESTAMP_HEADER}: not a Unix timestamp") from None
    if abs(now.timestamp() - sent) > window.total_seconds():
        raise BadSignature(f"{TIMESTAMP_HEADER}: outside the {window.total_seconds():g}s replay window")
    if not hmac.compare_digest(sign(secret, sent, body), signature.strip()):
        raise BadSignature("the signature does not match the body")
