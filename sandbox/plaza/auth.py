"""How the sandbox, like bol, decides that a Plaza request is authentic.

Written from bol's authentication page, not from the client's signer:

    X-BOL-Authorization: <public key>:<base64(HMAC-SHA256(private key, sig))>
    sig = VERB "\\n\\n" Content-Type "\\n" X-BOL-Date "\\n" "x-bol-date:" X-BOL-Date "\\n" URI

where URI is the request path without the query string, and X-BOL-Date is an
RFC 1123 date in GMT no more than 15 minutes from the server's clock."""

import base64
import hashlib
import hmac
import re
from datetime import UTC, datetime

from sandbox.plaza.protocol import BAD_DATE, BAD_SIGNATURE, MAX_CLOCK_SKEW, MISSING_AUTH_HEADERS
from sandbox.plaza.wire import ErrorEntry

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_RFC1123 = re.compile(rf"({'|'.join(_WEEKDAYS)}), (\d\d) ({'|'.join(_MONTHS)}) (\d{{4}}) (\d\d):(\d\d):(\d\d) GMT")


def parse_rfc1123(value: str) -> datetime | None:
    """ "Fri, 07 Oct 2011 13:24:01 GMT" as an aware datetime; None for
    anything else, including a weekday that does not match the date."""
    match = _RFC1123.fullmatch(value)
    if match is None:
        return None
    weekday, day, month, year, hour, minute, second = match.groups()
    try:
        moment = datetime(
            int(year), _MONTHS.index(month) + 1, int(day), int(hour), int(minute), int(second), tzinfo=UTC
        )
    except ValueError:
        return None
    return moment if _WEEKDAYS[moment.weekday()] == weekday else None


def expected_signature(private_key: str, method: str, content_type: str, x_bol_date: str, path: str) -> str:
    signed = "\n".join((method, "", content_type, x_bol_date, "x-bol-date:" + x_bol_date, path))
    mac = hmac.new(private_key.encode("utf-8"), signed.encode("utf-8"), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode("ascii")


def authentication_error(
    method: str,
    path: str,
    content_type: str,
    x_bol_date: str | None,
    authorization: str | None,
    public_key: str,
    private_key: str,
    now: datetime,
) -> ErrorEntry | None:
    """Why the request is not authentic, or None when it is. `path` is the
    path as the client sent it, without the query string."""
    if not x_bol_date or not authorization:
        return ErrorEntry(MISSING_AUTH_HEADERS, "X-BOL-Date and X-BOL-Authorization headers are required")
    sent_at = parse_rfc1123(x_bol_date)
    if sent_at is None:
        return ErrorEntry(BAD_DATE, "X-BOL-Date must be an RFC 1123 date in GMT, e.g. Fri, 07 Oct 2011 13:24:01 GMT")
    if abs(now - sent_at) > MAX_CLOCK_SKEW:
        return ErrorEntry(BAD_DATE, "X-BOL-Date differs more than 15 minutes from server time")
    key, separator, sent = authorization.rpartition(":")
    expected = expected_signature(private_key, method, content_type, x_bol_date, path)
    # Bytes, not str: compare_digest refuses non-ASCII str, and a header may carry any latin-1.
    key_ok = hmac.compare_digest(key.encode(), public_key.encode())
    signature_ok = hmac.compare_digest(sent.encode(), expected.encode())
    if not (separator and key_ok and signature_ok):
        return ErrorEntry(BAD_SIGNATURE, "X-BOL-Authorization does not match the request")
    return None
