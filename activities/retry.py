"""Retry timing shared by every marketplace adapter."""

import random
from datetime import timedelta

import httpx


def backoff_delay(attempt: int) -> timedelta:
    """Jittered exponential backoff for a 429 without Retry-After: about
    2^(attempt-1) seconds, at most 60, times a random factor of 0.5..1.5."""
    base = min(60.0, 2.0 ** max(0, attempt - 1))
    return timedelta(seconds=base * random.uniform(0.5, 1.5))


def retry_after(response: httpx.Response) -> timedelta | None:
    """The delay a 429 or 503 asks for in seconds (Retry-After), if it gives one."""
    try:
        seconds = float(response.headers.get("Retry-After", ""))
    except ValueError:
        return None
    return timedelta(seconds=seconds) if seconds >= 0 else None
