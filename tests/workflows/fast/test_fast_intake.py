"""The intake workflow on the time-skipping server with a double of its
watch activity: a channel that cannot be polled (every retry of a watch
fails) must not end the intake; it shows why, waits, and polls again from
the cursor it had. (The e2e 429 test used to reach this path by exhausting
the retries for real, at the cost of a 30-second wait.)"""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from temporalio import activity
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.exceptions import ApplicationError
from temporalio.worker import Worker

from domain.errors import RETRYABLE_ERROR_TYPE
from domain.intake import IntakeInput, IntakePollResult, IntakeState, IntakeWatch
from workflows.intake import ChannelIntakeWorkflow

CURSOR = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 2, 9, 5, tzinfo=UTC)


class FlakyChannel:
    """Fails the first `failures` watches as a 429 would, then reports one
    poll; every later watch fails for good (so the intake sleeps, and no
    watch is left running: the test server holds time still while an
    activity runs, even one whose workflow was terminated)."""

    def __init__(self, failures: int):
        self.failures = failures
        self.watches: list[tuple[IntakeWatch, int]] = []

    @activity.defn(name="watch_channel")
    async def watch_channel(self, watch: IntakeWatch) -> IntakePollResult:
        self.watches.append((watch, activity.info().attempt))
        if len(self.watches) <= self.failures:
            raise ApplicationError("429 Too Many Requests", type=RETRYABLE_ERROR_TYPE)
        if len(self.watches) == self.failures + 1:
            return IntakePollResult(cursor=LATER, polls=3, orders_started=2)
        raise ApplicationError("channel switched off", non_retryable=True)


@pytest.fixture
async def intake_queue(time_env) -> AsyncIterator[tuple[str, FlakyChannel]]:
    channel = FlakyChannel(failures=5)  # WATCH_RETRY allows 5 attempts: all fail
    task_queue = f"fast-intake-{uuid.uuid4()}"
    async with Worker(
        time_env.client, task_queue=task_queue, workflows=[ChannelIntakeWorkflow], activities=[channel.watch_channel]
    ):
        yield task_queue, channel


async def until(read: Callable[[], Awaitable[IntakeState]], check: Callable[[IntakeState], Any]) -> IntakeState:
    for _ in range(500):
        current = await read()
        if check(current):
            return current
        await asyncio.sleep(0.01)
    raise AssertionError(f"intake state never matched: {current}")


async def test_an_intake_that_cannot_poll_waits_and_polls_again_from_its_cursor(time_env, intake_queue):
    task_queue, channel = intake_queue
    handle = await time_env.client.start_workflow(
        ChannelIntakeWorkflow.run,
        IntakeInput(channel="bol", poll_interval=timedelta(seconds=1), cursor=CURSOR),
        id=f"intake:fast-{uuid.uuid4().hex[:8]}",
        task_queue=task_queue,
    )
    try:

        async def state() -> IntakeState:
            return await handle.query(ChannelIntakeWorkflow.state)

        # The retries back off 2, 4, 8, 16 s (skipped while no watch runs) ...
        while len(channel.watches) < channel.failures:
            await time_env.sleep(timedelta(seconds=5))
        current = await until(state, lambda s: s.last_error)
        assert "429 Too Many Requests" in (current.last_error or "")
        details = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
        assert details.current_details.startswith("**Polling bol fails**: ")
        assert details.current_details.endswith("; retrying in 0:00:30")
        assert current.cursor == CURSOR

        # ... then the intake waits 30 s and watches again, from the same cursor.
        while len(channel.watches) == channel.failures:
            await time_env.sleep(timedelta(seconds=1))
        current = await until(state, lambda s: s.cursor == LATER)
        assert (current.polls, current.orders_started) == (3, 2)
        watches = channel.watches[: channel.failures + 1]
        assert [attempt for _, attempt in watches] == [1, 2, 3, 4, 5, 1]
        assert {watch.cursor for watch, _ in watches} == {CURSOR}  # the gap is covered, nothing skipped
        # The next watch goes on from where the successful one got to.
        await until(state, lambda s: len(channel.watches) > channel.failures + 1)
        assert channel.watches[channel.failures + 1][0].cursor == LATER
    finally:
        await handle.terminate("test over")
