"""The engine's workflows run in the sandbox that keeps them deterministic: a
workflow that reads the clock or draws randomness is stopped at its first
task, not run. Passing every module through the sandbox would make
instances cheaper (a quarter of a replay's CPU) but lets both through: this
test fails with SandboxRestrictions.with_passthrough_all_modules()."""

import uuid

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from tests.integration.nondeterministic_workflows import (
    DeterministicWorkflow,
    DrawsARandomNumberWorkflow,
    ReadsTheClockWorkflow,
)
from tests.support import eventually

WORKFLOWS = [ReadsTheClockWorkflow, DrawsARandomNumberWorkflow, DeterministicWorkflow]


async def _task_failure(client: Client, workflow_id: str) -> str | None:
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
            return event.workflow_task_failed_event_attributes.failure.message
    return None


@pytest.mark.parametrize(
    ("forbidden", "call"),
    [(ReadsTheClockWorkflow, "datetime.datetime.now"), (DrawsARandomNumberWorkflow, "random.random")],
)
async def test_a_workflow_reading_the_clock_or_drawing_randomness_is_stopped(
    engines, task_queue, dev_env, forbidden, call
):
    engine = engines.build(task_queue)
    client = dev_env.client
    try:
        async with engine.worker(client, workflows=WORKFLOWS, activities=[]):
            assert await client.execute_workflow(
                DeterministicWorkflow.run, id=f"deterministic-{uuid.uuid4()}", task_queue=task_queue
            )
            handle = await client.start_workflow(forbidden.run, id=f"forbidden-{uuid.uuid4()}", task_queue=task_queue)
            failure = await eventually(lambda: _task_failure(client, handle.id))
            assert f"Cannot access {call}" in failure
            await handle.terminate("the test is over")
    finally:
        await engine.aclose()
