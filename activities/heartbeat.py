"""Heartbeats for as long as an activity runs, not only when it happens to
wait: a long activity made of many short calls must still prove it is alive,
or Temporal cancels and retries it mid-way.

The first beat goes out after the interval, not at the start: the SDK sends
an activity's first heartbeat to the server at once, and each one that
reaches the server is a billable action. An activity done within the
interval (a shipment bol processes in a second, an offer-sync round) has
nothing to report yet, so it sends none."""

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

from temporalio import activity

EVERY_SECONDS = 5.0


@asynccontextmanager
async def heartbeating(details: Callable[[], Sequence[object]] = tuple) -> AsyncIterator[None]:
    async def beat() -> None:
        while True:
            await asyncio.sleep(EVERY_SECONDS)
            activity.heartbeat(*details())

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
