"""The sandbox's side of Plaza authentication: the same HMAC the client
computes, plus bol's ±15 minute window on X-BOL-Date."""

import hmac
from datetime import datetime
from email.utils import parsedate_to_datetime

from starlette.datastructures import Headers

from activities.marketplaces.plaza.signing import MAX_CLOCK_SKEW, signature
from activities.marketplaces.plaza.xml import PlazaError


def authentication_error(
    method: str, uri: str, headers: Headers, public_key: str, private_key: str, now: datetime
) -> PlazaError | None:
    """Why the request is not authentic, or None when it is."""
    x_bol_date = headers.get("x-bol-date")
    authorization = headers.get("x-bol-authorization")
    if not x_bol_date or not authorization:
        return PlazaError(code="41201", message="X-BOL-Date and X-BOL-Authorization headers are required")
    try:
        sent_at = parsedate_to_datetime(x_bol_date)
    except (TypeError, ValueError):
        sent_at = None
    if sent_at is None or sent_at.tzinfo is None:
        return PlazaError(code="41102", message="X-BOL-Date must be an RFC 1123 date in GMT")
    if abs(now - sent_at) > MAX_CLOCK_SKEW:
        return PlazaError(code="41102", message="X-BOL-Date differs more than 15 minutes from server time")
    key, _, sent_signature = authorization.rpartition(":")
    expected = signature(private_key, method, headers.get("content-type", ""), x_bol_date, uri)
    # Bytes, not str: compare_digest refuses non-ASCII str, and headers can carry any latin-1.
    if not (
        hmac.compare_digest(key.encode(), public_key.encode())
        and hmac.compare_digest(sent_signature.encode(), expected.encode())
    ):
        return PlazaError(code="41202", message="X-BOL-Authorization does not match the request")
    return None
