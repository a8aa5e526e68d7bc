"""Heartbeats for as long as an activity runs, not only when it happens to
wait: a long activity made of many short calls must still prove it is alive,
or Temporal cancels and retries it mid-way."""

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

from temporalio import activity

EVERY_SECONDS = 5.0


@asynccontextmanager
async def heartbeating(details: Callable[[], Sequence[object]] = tuple) -> AsyncIterator[None]:
    async def beat() -> None:
        while True:
            activity.heartbeat(*details())
            await asyncio.sleep(EVERY_SECONDS)

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
