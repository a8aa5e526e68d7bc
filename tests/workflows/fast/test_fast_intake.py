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

from domain import names
from domain.alerts.messages import AlertsChanged
from domain.errors import RETRYABLE_ERROR_TYPE
from domain.intake import IntakeInput, IntakePollResult, IntakeState, IntakeWatch, UnreadableItem
from domain.names import NEEDS_ATTENTION
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


class ScriptedChannel:
    """Each watch reports what the test queued for it; None ends the
    watches for good (so no watch is left running, see FlakyChannel)."""

    def __init__(self) -> None:
        self.results: asyncio.Queue[IntakePollResult | None] = asyncio.Queue()

    @activity.defn(name="watch_channel")
    async def watch_channel(self, watch: IntakeWatch) -> IntakePollResult:
        result = await self.results.get()
        if result is None:
            raise ApplicationError("channel switched off", non_retryable=True)
        return result


async def test_skipped_items_make_the_intake_need_attention_until_they_are_read(own_time_env):
    # A server of its own: the scripted watch it ends last can leave the server counting an activity in flight.
    time_env = own_time_env
    channel = ScriptedChannel()
    task_queue = f"fast-intake-{uuid.uuid4()}"
    bad_order = UnreadableItem(
        kind="order", item_id="1043965710", reason="orderPlacedDateTime: Input should be a valid datetime"
    )
    bad_return = UnreadableItem(kind="return", item_id="15892026", reason="returnItems: Input should be a valid list")
    async with Worker(
        time_env.client, task_queue=task_queue, workflows=[ChannelIntakeWorkflow], activities=[channel.watch_channel]
    ):
        handle = await time_env.client.start_workflow(
            ChannelIntakeWorkflow.run,
            IntakeInput(channel="bol", poll_interval=timedelta(seconds=1), cursor=CURSOR, swept_at=CURSOR),
            id=f"intake:fast-{uuid.uuid4().hex[:8]}",
            task_queue=task_queue,
        )

        async def reported() -> tuple[bool | None, str, list[str]]:
            attributes = (await handle.describe()).typed_search_attributes
            details = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
            state = await handle.query(ChannelIntakeWorkflow.state)
            return attributes.get(NEEDS_ATTENTION), details.current_details, [i.item_id for i in state.unreadable]

        async def after(result: IntakePollResult, check: Callable[[tuple[bool | None, str, list[str]]], bool]):
            await channel.results.put(result)
            for _ in range(500):
                seen = await reported()
                if check(seen):
                    return seen
                await asyncio.sleep(0.01)
            raise AssertionError(f"never matched: {seen}")

        try:
            attention, details, ids = await after(
                IntakePollResult(cursor=LATER, swept_at=CURSOR, orders_started=4, unreadable=[bad_order, bad_return]),
                lambda seen: seen[0] is True,
            )
            assert attention is True and ids == ["1043965710", "15892026"]
            assert "order 1043965710: orderPlacedDateTime" in details and "return 15892026" in details

            # Read again without a sweep: the return was read, the order may just not have changed.
            attention, details, ids = await after(
                IntakePollResult(cursor=LATER, swept_at=CURSOR), lambda seen: len(seen[2]) == 1
            )
            assert attention is True and ids == ["1043965710"]

            # A sweep read every open order and found none it could not read.
            attention, details, ids = await after(
                IntakePollResult(cursor=LATER, swept_at=LATER), lambda seen: not seen[2]
            )
            for _ in range(100):
                if (await reported())[0] is False:
                    break
                await asyncio.sleep(0.01)
            assert (await reported())[0] is False
            assert "skipped" not in (await reported())[1]
        finally:
            await channel.results.put(None)
            await handle.terminate("test over")


async def test_open_alerts_about_the_channel_make_the_intake_need_attention_until_they_clear(own_time_env):
    time_env = own_time_env
    channel = ScriptedChannel()
    task_queue = f"fast-intake-{uuid.uuid4()}"
    async with Worker(
        time_env.client, task_queue=task_queue, workflows=[ChannelIntakeWorkflow], activities=[channel.watch_channel]
    ):
        handle = await time_env.client.start_workflow(
            ChannelIntakeWorkflow.run,
            IntakeInput(channel="bol", poll_interval=timedelta(seconds=1), cursor=CURSOR, swept_at=CURSOR),
            id=f"intake:fast-{uuid.uuid4().hex[:8]}",
            task_queue=task_queue,
        )

        async def shown(check: Callable[[bool | None, str], bool]) -> tuple[bool | None, str]:
            for _ in range(500):
                attention = (await handle.describe()).typed_search_attributes.get(NEEDS_ATTENTION)
                details = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
                if check(attention, details.current_details):
                    return attention, details.current_details
                await asyncio.sleep(0.01)
            raise AssertionError(f"never matched: {attention}, {details.current_details}")

        try:
            await handle.signal(names.SIGNAL_ALERTS_CHANGED, AlertsChanged(alerts="channel-silent (alert)"))
            _, details = await shown(lambda attention, _: attention is True)
            assert "**open alerts**: channel-silent (alert)" in details
            await handle.signal(names.SIGNAL_ALERTS_CHANGED, AlertsChanged(alerts=""))
            _, details = await shown(lambda attention, _: attention is False)
            assert "open alerts" not in details
        finally:
            await channel.results.put(None)
            await handle.terminate("test over")
