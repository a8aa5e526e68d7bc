"""Reading and steering order workflows from outside: what the CLI, the
simulators and other services' scripts use."""

from datetime import timedelta

from pydantic import BaseModel
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError

from activities.order_search import (
    NAME,
    OrderSummary,
    channel_name,
    list_orders,
    list_query,
    order_status,
)
from domain import names
from domain.ids import ORDER_PREFIX, order_workflow_id
from domain.order.view import OrderView
from starter.console import CommandError

__all__ = ["OrderSummary", "channel_name", "list_orders", "list_query", "order_status"]


ORDER_ID_FORMS = "order:CHANNEL:ID, CHANNEL:ID or ID"


def resolve_order_id(order_id: str, default_channel: str = "bol") -> str:
    """Accept `order:bol:123`, `bol:123` or `123` (on the default channel).
    Anything else is a ValueError saying which forms are understood."""
    parts = order_id.split(":")
    if parts[0] == ORDER_PREFIX:
        if len(parts) != 3:
            raise ValueError(f"{order_id!r} is not an order id; expected {ORDER_ID_FORMS}")
        channel, marketplace_order_id = parts[1:]
    elif len(parts) == 2:
        channel, marketplace_order_id = parts
    elif len(parts) == 1:
        channel, marketplace_order_id = default_channel, order_id
    else:
        raise ValueError(f"{order_id!r} is not an order id; expected {ORDER_ID_FORMS}")
    if not (NAME.fullmatch(channel) and NAME.fullmatch(marketplace_order_id)):
        raise ValueError(f"{order_id!r} is not an order id; expected {ORDER_ID_FORMS} (letters, digits, ._-)")
    return order_workflow_id(channel, marketplace_order_id)


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
