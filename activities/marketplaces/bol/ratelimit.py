"""Client-side rate limiting from bol's own headers, per endpoint.

bol publishes each endpoint's budget on every response (X-RateLimit-Limit,
-Remaining, -Reset) and watches for clients that keep hitting 429. So the
adapter spends that budget itself: while it is unknown, one request probes
it; then at most `Remaining` requests go out until the window resets, and
the rest wait their turn instead of collecting 429s all at once."""

import asyncio
import re
import time
from datetime import timedelta

import httpx

from activities.retry import backoff_delay
from domain.errors import RateLimited

# Waits up to this long happen inside the call; longer ones go back to
# Temporal as a retry with that delay, so no worker slot sleeps for minutes.
MAX_INLINE_WAIT_SECONDS = 2.0
_ID_SEGMENT = re.compile(r"/[^/]*\d[^/]*")


def endpoint_key(method: str, path: str) -> str:
    return f"{method} {_ID_SEGMENT.sub('/{id}', path)}"


def _seconds(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    # Recorded bol responses carry both "seconds until reset" and epoch values.
    return max(0.0, number - time.time()) if number > 1_000_000_000 else max(0.0, number)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


class _Budget:
    def __init__(self) -> None:
        self.limit: int | None = None  # None: not learned yet
        self.remaining = 1  # the probe
        self.resets_at = float("inf")
        self.blocked_until = 0.0
        self.answered = asyncio.Event()

    def wait_seconds(self, now: float) -> float | None:
        """0 to go now, seconds to wait, or None: wait for the next answer
        (the probe's, or the one that tells when this window resets)."""
        if now < self.blocked_until:
            return self.blocked_until - now
        if self.remaining > 0:
            return 0.0
        if self.limit is None or self.resets_at == float("inf"):
            return None
        if now >= self.resets_at:
            self.remaining, self.resets_at = self.limit, float("inf")
            return 0.0
        return self.resets_at - now

    def notify(self) -> None:
        answered, self.answered = self.answered, asyncio.Event()
        answered.set()


class RateGate:
    def __init__(self) -> None:
        self._budgets: dict[str, _Budget] = {}

    async def wait_turn(self, key: str) -> None:
        budget = self._budgets.setdefault(key, _Budget())
        while True:
            wait = budget.wait_seconds(time.monotonic())
            if wait == 0.0:
                budget.remaining -= 1
                return
            if wait is None:
                try:
                    await asyncio.wait_for(budget.answered.wait(), timeout=MAX_INLINE_WAIT_SECONDS)
                except TimeoutError:
                    budget.remaining = max(budget.remaining, 1)  # nobody answered: probe again
                continue
            if wait > MAX_INLINE_WAIT_SECONDS:
                raise RateLimited(f"bol rate limit for {key}: waiting {wait:.1f}s", retry_after=timedelta(seconds=wait))
            await asyncio.sleep(wait)

    def observe(self, key: str, response: httpx.Response) -> None:
        budget = self._budgets.setdefault(key, _Budget())
        headers = response.headers
        now = time.monotonic()
        if response.status_code == 429:
            delay = _seconds(headers.get("Retry-After"))
            seconds = delay if delay is not None else backoff_delay(1).total_seconds()
            budget.blocked_until = max(budget.blocked_until, now + seconds)
            budget.remaining = 0
        limit, remaining = _int(headers.get("X-RateLimit-Limit")), _int(headers.get("X-RateLimit-Remaining"))
        reset = _seconds(headers.get("X-RateLimit-Reset"))
        if limit is not None and remaining is not None and reset is not None:
            resets_at = now + reset
            # A later reset is a new window: bol's count is the truth. In the
            # same window, requests of ours still in flight are not in bol's
            # count yet, so keep the smaller figure.
            new_window = budget.limit is None or resets_at > budget.resets_at + 0.5 or budget.resets_at == float("inf")
            budget.remaining = remaining if new_window else min(budget.remaining, remaining)
            budget.limit, budget.resets_at = limit, resets_at
        elif budget.limit is None:
            budget.remaining = 1  # no headers: no budget to keep, probe again
        budget.notify()

    def failed(self, key: str) -> None:
        """The request got no answer: give its slot back so another can go."""
        budget = self._budgets.get(key)
        if budget is not None:
            budget.remaining = max(budget.remaining, 0) + 1
            budget.notify()
