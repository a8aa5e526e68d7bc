"""bol's error bodies. Most errors are `Problem`s; 401s and 429s come in the
shorter shapes bol really sends (recorded by picqer's client tests)."""

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from pydantic import ValidationError

from sandbox.bol.wire import Problem, Violation

BAD_REQUEST_TITLE = "Error validating request. Consult the bol.com API documentation for more information."
INVALID = "Request contains invalid value(s)"


class ProblemError(Exception):
    """Raised anywhere while handling a request; becomes a Problem response."""

    def __init__(self, status: int, title: str, detail: str, violations: list[Violation] | None = None):
        super().__init__(f"{status} {title}: {detail}")
        self.status = status
        self.title = title
        self.detail = detail
        self.violations = violations or []

    def body(self, instance: str) -> dict[str, Any]:
        return Problem(
            title=self.title, status=self.status, detail=self.detail, instance=instance, violations=self.violations
        ).to_json()


# What RFC 3986 allows in a path as it is; everything else is percent-encoded.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"


def instance_uri(base_url: str, path: str) -> str:
    """The Problem's `instance`, a valid URI whatever the path holds: a
    client that percent-encoded "é" must get it back encoded, not raw."""
    return base_url + quote(path, safe=_PATH_SAFE)


def bad_request(violations: list[Violation]) -> ProblemError:
    return ProblemError(400, BAD_REQUEST_TITLE, "Bad request", violations)


def not_found(what: str) -> ProblemError:
    return ProblemError(404, "Not Found", f"{what} could not be found.")


def from_validation_error(error: ValidationError) -> ProblemError:
    return bad_request([_violation(e) for e in error.errors(include_url=False)])


def _violation(error: Any) -> Violation:
    name = _field_name(error["loc"])
    if error["type"] == "missing":
        return Violation(name=name, reason=f"{INVALID}: 'null'. A value is required.")
    if error["type"] == "literal_error":
        allowed = error["ctx"]["expected"].replace("'", "").replace(" or ", ", ")
        return Violation(name=name, reason=f"{INVALID}: '{_shown(error['input'])}', allowed values: {allowed}.")
    return Violation(name=name, reason=f"{INVALID}: '{_shown(error['input'])}'. {error['msg'].rstrip('.')}.")


def _field_name(loc: tuple[int | str, ...]) -> str:
    # ("orderItems", 0, "orderItemId") -> "orderItems[0].orderItemId", as bol names them.
    name = ""
    for part in loc:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "body"


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def expired_jwt(expired_at: datetime, now: datetime) -> dict[str, Any]:
    millis = int((now - expired_at).total_seconds() * 1000)
    # The double space before "Allowed" is bol's.
    return {
        "title": "Expired JWT",
        "status": 401,
        "detail": (
            f"JWT expired at {_iso(expired_at)}. Current time: {_iso(now)}, a difference of {millis} milliseconds."
            "  Allowed clock skew: 1000 milliseconds."
        ),
    }


def too_many_requests(retry_after: int | None) -> dict[str, Any]:
    detail = f"Too many requests, retry in {retry_after} seconds." if retry_after is not None else "Too many requests."
    return {"title": "Too Many Requests", "status": 429, "detail": detail}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
