"""Reading and steering order workflows from outside: what the CLI, the
simulators and other services' scripts use."""

from datetime import timedelta

from pydantic import BaseModel
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError

from activities.order_search import OrderSummary, list_orders, list_query
from domain import names
from domain.order.view import OrderView
from domain.search_terms import channel_name, order_status, resolve_order_id
from starter.console import CommandError

__all__ = ["OrderSummary", "channel_name", "list_orders", "list_query", "order_status", "resolve_order_id"]


def order_handle(client: Client, workflow_id: str) -> WorkflowHandle:
    return client.get_workflow_handle(workflow_id)


async def show_order(client: Client, workflow_id: str, patience: timedelta | None = None) -> OrderView:
    """The live view from the workflow; for a closed order, its result.
    `patience` bounds the wait for a worker to answer the query."""
    handle = client.get_workflow_handle(workflow_id, result_type=OrderView)
    try:
        description = await handle.describe()
    except RPCError as exc:
        raise CommandError(f"no order {workflow_id}: {exc.message}") from exc
    if description.status == WorkflowExecutionStatus.COMPLETED:
        return await handle.result()
    try:
        return await handle.query(names.QUERY_VIEW, result_type=OrderView, rpc_timeout=patience)
    except RPCError as exc:
        raise CommandError(f"order {workflow_id} cannot answer ({exc.message}); is a worker running?") from exc


async def update_order(
    client: Client, workflow_id: str, update: str, request: BaseModel, rpc_timeout: timedelta | None = None
) -> str:
    handle = order_handle(client, workflow_id)
    return await handle.execute_update(update, request, result_type=str, rpc_timeout=rpc_timeout)
