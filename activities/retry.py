"""Retry timing shared by every marketplace adapter."""

import math
import random
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx


def backoff_delay(attempt: int) -> timedelta:
    """Jittered exponential backoff for a 429 without Retry-After: about
    2^(attempt-1) seconds, at most 60, times a random factor of 0.5..1.5."""
    base = min(60.0, 2.0 ** max(0, attempt - 1))
    return timedelta(seconds=base * random.uniform(0.5, 1.5))


def retry_after(response: httpx.Response, now: datetime | None = None) -> timedelta | None:
    """The delay a 429 or 503 asks for (Retry-After: seconds, or an HTTP date),
    if it gives a usable one; else None and the caller backs off on its own."""
    value = response.headers.get("Retry-After", "").strip()
    seconds: float | None
    try:
        seconds = float(value)
    except ValueError:
        seconds = _seconds_until(value, now or datetime.now(UTC))
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return None
    try:
        return timedelta(seconds=seconds)
    except OverflowError:  # beyond what a timedelta holds: not a delay anyone means
        return None


def _seconds_until(http_date: str, now: datetime) -> float | None:
    try:
        at = parsedate_to_datetime(http_date)
    except (TypeError, ValueError):
        return None
    if at.tzinfo is None:  # "-0000": UTC by the RFC
        at = at.replace(tzinfo=UTC)
    return max(0.0, (at - now).total_seconds())
