"""`bench throughput --arrivals N` hands each side its orders N at a time;
one order that cannot be handed over stops the run instead of leaving the
other arrivals going on a stack that is being torn down."""

import asyncio

import pytest

from starter.bench.throughput import _overlapping


async def test_orders_arrive_as_many_at_a_time_as_asked():
    handed: list[int] = []

    async def hand_over(n: int) -> None:
        await asyncio.sleep(0.01)
        handed.append(n)

    assert await _overlapping(10, 3, hand_over) == 3
    assert sorted(handed) == list(range(10))


async def test_one_failed_hand_over_stops_the_others():
    started: list[int] = []
    release = asyncio.Event()

    async def hand_over(n: int) -> None:
        started.append(n)
        if n == 2:
            raise RuntimeError("the receiver refused order 2")
        await release.wait()

    with pytest.raises(RuntimeError, match="order 2"):
        await _overlapping(20, 3, hand_over)
    release.set()
    await asyncio.sleep(0.05)
    assert started == [0, 1, 2]
