"""Kaufland counts 111 requests per second per seller account, across every
endpoint. Every adapter, activity and workflow of one account in this process
draws from the same bucket, keyed by the account's client key, so a burst of
offer updates and a poll cannot together earn a 429."""

import asyncio
import threading

from aiolimiter import AsyncLimiter

# Kaufland's documented maximum is 111; we stay a little below it.
REQUESTS_PER_SECOND = 100
# The bucket refills in tenths of a second: a burst is a tenth of the rate,
# so no one-second window, wherever Kaufland starts it, sees more than
# 1.1 × the rate (a whole second's burst plus a second of refill would be 2×).
SLICE_SECONDS = 0.1

_lock = threading.Lock()
_limiters: dict[tuple[str, int], AsyncLimiter] = {}


def account_limiter(client_key: str, per_second: int = REQUESTS_PER_SECOND) -> AsyncLimiter:
    """The one limiter of this seller account (per event loop: an
    AsyncLimiter belongs to the loop that first waits on it)."""
    key = (f"{client_key}:{per_second}", id(asyncio.get_running_loop()))
    with _lock:
        limiter = _limiters.get(key)
        if limiter is None:
            burst = max(1, round(per_second * SLICE_SECONDS))
            limiter = _limiters[key] = AsyncLimiter(burst, burst / per_second)
        return limiter
