"""Reading an order workflow from the outside in the fast tier: its view (the
public query), its search attributes, its current details, and the reason
an update was rejected."""

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import WorkflowExecutionStatus
from temporalio.api.sdk.v1 import WorkflowMetadata
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest, DescribeWorkflowExecutionResponse
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from domain.order.status import OrderStatus
from domain.order.view import OrderView
from workflows.order import OrderWorkflow


async def view(handle: WorkflowHandle) -> OrderView:
    return await handle.query(OrderWorkflow.view)


async def until(handle: WorkflowHandle, check: Callable[[OrderView], Any], timeout: float = 10.0) -> OrderView:
    """Query the order until `check(view)` holds; the doubles answer at once,
    so a short poll interval keeps every wait a few milliseconds long. A
    workflow that ended (failed) without meeting it fails the wait at once."""
    deadline = time.monotonic() + timeout
    for polls in itertools.count(1):
        current = await view(handle)
        if check(current):
            return current
        if polls % 10 == 0 and await _ended(handle):
            raise AssertionError(f"the workflow ended as {await _ended(handle)}, order {current.status}: {current}")
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s; order is {current.status}: {current}")
        await asyncio.sleep(0.01)
    raise AssertionError("unreachable")


async def finished(handle: WorkflowHandle, timeout: float = 60.0) -> OrderView:
    """The workflow's result; the time-skipping server jumps over its timers
    (return windows). Bounded: if time stood still (an activity the server
    still counts as running holds it), this fails instead of hanging."""
    return await asyncio.wait_for(handle.result(), timeout=timeout)


async def _ended(handle: WorkflowHandle) -> str | None:
    raw = await _describe(handle)
    status = raw.workflow_execution_info.status
    if status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING:
        return None
    return WorkflowExecutionStatus.Name(status)


async def _describe(handle: WorkflowHandle) -> DescribeWorkflowExecutionResponse:
    """Raw: the test server reports an unset datetime search attribute as an
    empty list, which the SDK's typed reader (and so describe()) cannot parse."""
    client = handle._client
    return await client.workflow_service.describe_workflow_execution(
        DescribeWorkflowExecutionRequest(namespace=client.namespace, execution=WorkflowExecution(workflow_id=handle.id))
    )


async def reaches(handle: WorkflowHandle, status: OrderStatus) -> OrderView:
    return await until(handle, lambda v: v.status == status)


async def needs_attention(handle: WorkflowHandle) -> OrderView:
    return await until(handle, lambda v: v.needs_attention)


async def search_attributes(handle: WorkflowHandle) -> dict[str, Any]:
    """OrderStatus, NeedsAttention, ShipBy as JSON values; unset ones are None."""
    raw = await _describe(handle)
    values = {
        key: json.loads(value.data or b"null")
        for key, value in raw.workflow_execution_info.search_attributes.indexed_fields.items()
    }
    return {key: (None if value == [] else value) for key, value in values.items()}


async def current_details(handle: WorkflowHandle) -> str:
    metadata = await handle.query("__temporal_workflow_metadata", result_type=WorkflowMetadata)
    return metadata.current_details


async def rejection(handle: WorkflowHandle, update: Any, request: Any) -> str:
    """The validator's reason for rejecting `update(request)`."""
    with pytest.raises(WorkflowUpdateFailedError) as rejected:
        await handle.execute_update(update, request)
    return str(rejected.value.cause)
