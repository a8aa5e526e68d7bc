"""Retry timing shared by every marketplace adapter."""

import random
from datetime import timedelta


def backoff_delay(attempt: int) -> timedelta:
    """Jittered exponential backoff for a 429 without Retry-After: about
    2^(attempt-1) seconds, at most 60, times a random factor of 0.5..1.5."""
    base = min(60.0, 2.0 ** max(0, attempt - 1))
    return timedelta(seconds=base * random.uniform(0.5, 1.5))
