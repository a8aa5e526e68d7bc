"""Plaza's HMAC request signature, shared by the client and the sandbox so
both sides agree on the exact bytes signed."""

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

# bol refuses an X-BOL-Date further than this from its own clock.
MAX_CLOCK_SKEW = timedelta(minutes=15)


def bol_date(moment: datetime) -> str:
    """RFC 1123, e.g. "Fri, 07 Oct 2011 13:24:01 GMT"."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def signature(private_key: str, method: str, content_type: str, x_bol_date: str, uri: str) -> str:
    """`uri` is the path only: bol signs it without the query string."""
    message = f"{method}\n\n{content_type}\n{x_bol_date}\nx-bol-date:{x_bol_date}\n{uri}"
    digest = hmac.new(private_key.encode(), message.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_headers(
    public_key: str, private_key: str, method: str, content_type: str, uri: str, now: datetime
) -> dict[str, str]:
    x_bol_date = bol_date(now)
    return {
        "Content-Type": content_type,
        "X-BOL-Date": x_bol_date,
        "X-BOL-Authorization": f"{public_key}:{signature(private_key, method, content_type, x_bol_date, uri)}",
    }
