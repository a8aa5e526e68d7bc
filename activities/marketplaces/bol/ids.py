"""bol's id formats, checked wherever an id reaches a URL path (and, through
the webhook receiver, a workflow id), and paths built with the id escaped.

A push's `resourceId` is whatever its sender wrote: `123#x` pasted into a
path fetches order 123 (the rest is a fragment), `../offers/1` another
resource, both with the seller's token, and under a second workflow id that
shares the real order's reservation."""

import re
from enum import Enum
from urllib.parse import quote

from domain.errors import BusinessError, Violation


class BolId(Enum):
    # Order ids were digits for years; the v10 spec's Order example is
    # "A2K8290LP8", so capitals pass too. Lower case does not: if bol matched
    # it case-insensitively, one order would run under two workflow ids.
    ORDER = ("orderId", re.compile(r"[0-9A-Z]{1,32}"), "digits and capital letters")
    # The rma-id path parameter is an int64.
    RMA = ("rmaId", re.compile(r"[0-9]{1,19}"), "digits")
    # Ids whose format bol does not document (offer UUIDs, return, report and
    # process status ids): nothing that can leave its path segment.
    OPAQUE = ("id", re.compile(r"[A-Za-z0-9_-]{1,64}"), "letters, digits, '-' and '_'")

    def __init__(self, field: str, pattern: re.Pattern[str], allowed: str):
        self.field = field
        self.pattern = pattern
        self.allowed = allowed

    def matches(self, value: str) -> bool:
        return self.pattern.fullmatch(value) is not None


class InvalidBolId(BusinessError):
    """An id that is not in bol's format: never sent, never retried."""


def checked(value: str, kind: BolId) -> str:
    if not kind.matches(value):
        reason = f"{value[:40]!r} is not a bol {kind.field} ({kind.allowed})"
        raise InvalidBolId(f"{kind.field}: {reason}", violations=[Violation(name=kind.field, reason=reason)])
    return value


def path(template: str, value: str, kind: BolId) -> str:
    """`template` with its one `{}` filled by `value`, checked, then escaped
    anyway, so a format loosened one day still cannot leave its segment."""
    return template.format(quote(checked(value, kind), safe=""))
