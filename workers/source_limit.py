"""A request budget per client address (token bucket): one source flooding
the receiver is answered 429 while the others, bol among them, go on."""

import time
from collections import OrderedDict
from collections.abc import Callable


class SourceLimit:
    def __init__(
        self,
        per_second: float,
        burst: int,
        max_sources: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._per_second = per_second
        self._burst = float(burst)
        self._max_sources = max_sources
        self._clock = clock
        # source -> (tokens, when they were counted); least recently seen first,
        # so a flood from many addresses forgets old ones instead of growing.
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def admit(self, source: str) -> float | None:
        """None when the request may go on; else seconds until it may."""
        now = self._clock()
        tokens, then = self._buckets.pop(source, (self._burst, now))
        tokens = min(self._burst, tokens + (now - then) * self._per_second)
        admitted = tokens >= 1
        self._buckets[source] = (tokens - 1 if admitted else tokens, now)
        while len(self._buckets) > self._max_sources:
            self._buckets.popitem(last=False)
        return None if admitted else (1 - tokens) / self._per_second
