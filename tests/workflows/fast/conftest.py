"""The fast tier: OrderWorkflow on the time-skipping server, its activities
replaced by the doubles in doubles.py. One worker for the whole session;
each test starts its orders through the `orders` fixture."""

import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain.channels import Marketplace
from domain.ids import order_workflow_id
from domain.order.messages import OrderWorkflowInput
from tests.workflows.fast.doubles import ACTIVITIES, DOUBLES, FakeOrderActivities
from workflows.order import OrderWorkflow


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def fast_task_queue(time_env: WorkflowEnvironment) -> AsyncIterator[str]:
    task_queue = f"fast-orders-{uuid.uuid4()}"
    async with Worker(time_env.client, task_queue=task_queue, workflows=[OrderWorkflow], activities=ACTIVITIES):
        yield task_queue


class Orders:
    """Starts order workflows served by a double; ends what a test left running."""

    def __init__(self, client: Client, task_queue: str):
        self.client = client
        self.task_queue = task_queue
        self.handles: list[WorkflowHandle] = []

    async def start(
        self,
        fake: FakeOrderActivities,
        marketplace: Marketplace = Marketplace.BOL,
        task_timeout: timedelta | None = None,
        **input_overrides: Any,
    ) -> WorkflowHandle:
        """A short `task_timeout` lets updates reach the workflow while a
        local activity runs: the worker heartbeats the task at 80 % of it."""
        order_id = f"F{uuid.uuid4().hex[:10]}"
        workflow_id = order_workflow_id("bol", order_id)
        DOUBLES[workflow_id] = fake
        handle = await self.client.start_workflow(
            OrderWorkflow.run,
            OrderWorkflowInput(
                channel="bol", marketplace=marketplace, marketplace_order_id=order_id, **input_overrides
            ),
            id=workflow_id,
            task_queue=self.task_queue,
            task_timeout=task_timeout,
        )
        self.handles.append(handle)
        return handle

    async def close(self) -> None:
        for handle in self.handles:
            DOUBLES.pop(handle.id, None)
            with contextlib.suppress(RPCError):  # already closed
                await handle.terminate("test over")


@pytest.fixture
async def orders(time_env: WorkflowEnvironment, fast_task_queue: str) -> AsyncIterator[Orders]:
    started = Orders(time_env.client, fast_task_queue)
    yield started
    await started.close()
