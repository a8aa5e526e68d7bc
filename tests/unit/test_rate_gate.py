"""The bol adapter's own rate limiting, from bol's headers."""

import asyncio
import time

import httpx
import pytest

from activities.marketplaces.bol.ratelimit import RateGate
from domain.errors import RateLimited

KEY = "GET /retailer/orders/{id}"


def answer(
    limit: int, remaining: int, reset: float, status: int = 200, retry_after: str | None = None
) -> httpx.Response:
    headers = {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(reset),
    }
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    return httpx.Response(status, headers=headers)


async def test_one_probe_goes_first_then_the_learned_budget_paces_the_rest():
    gate = RateGate()
    sent: list[float] = []

    async def call(n: int) -> None:
        await gate.wait_turn(KEY)
        sent.append(time.monotonic())
        await asyncio.sleep(0.01)
        gate.observe(KEY, answer(limit=3, remaining=max(0, 2 - n), reset=0.3))

    start = time.monotonic()
    await asyncio.gather(*(call(n) for n in range(7)))
    offsets = sorted(t - start for t in sent)
    assert offsets[0] < 0.05  # the probe
    assert sum(1 for t in offsets if t < 0.25) <= 3  # never more than the budget in the first window
    assert offsets[-1] >= 0.3  # the rest waited for the reset instead of hitting a 429


async def test_a_429_blocks_the_endpoint_for_retry_after():
    gate = RateGate()
    await gate.wait_turn(KEY)
    gate.observe(KEY, answer(limit=10, remaining=0, reset=30, status=429, retry_after="30"))
    with pytest.raises(RateLimited) as limited:
        await gate.wait_turn(KEY)
    retry_after = limited.value.retry_after
    assert retry_after is not None and 25 < retry_after.total_seconds() <= 30


async def test_a_request_without_an_answer_frees_its_slot():
    gate = RateGate()
    await gate.wait_turn(KEY)  # the probe
    waiting = asyncio.create_task(gate.wait_turn(KEY))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    gate.failed(KEY)  # the probe died on a dropped connection
    await asyncio.wait_for(waiting, 1)
