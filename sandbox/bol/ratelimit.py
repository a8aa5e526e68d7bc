"""bol's per-endpoint request budgets: a fixed window per endpoint that opens
with its first request. Time comes from the sandbox clock, so tests move
through windows without sleeping."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sandbox.bol.config import RateLimitRule


@dataclass(frozen=True)
class Budget:
    """What the X-RateLimit-* headers report after one request."""

    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_seconds),
        }


@dataclass
class _Window:
    ends_at: datetime
    used: int = 0


class RateLimiter:
    def __init__(self) -> None:
        self._windows: dict[str, _Window] = {}

    def take(self, endpoint: str, rule: RateLimitRule, now: datetime) -> Budget:
        window = self._windows.get(endpoint)
        if window is None or now >= window.ends_at:
            window = self._windows[endpoint] = _Window(ends_at=now + timedelta(seconds=rule.window_seconds))
        allowed = window.used < rule.limit
        if allowed:
            window.used += 1
        # Whole seconds, rounded up: "retry in 0 seconds" would invite a hot loop.
        reset = max(1, math.ceil((window.ends_at - now).total_seconds()))
        return Budget(allowed=allowed, limit=rule.limit, remaining=rule.limit - window.used, reset_seconds=reset)

    def reset(self) -> None:
        self._windows.clear()
