"""Reading and steering order workflows from outside: what the CLI, the
simulators and other services' scripts use."""

import re
from datetime import datetime, timedelta

from pydantic import BaseModel
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError

from domain import names
from domain.ids import ORDER_PREFIX, order_workflow_id, parse_order_workflow_id
from domain.order.status import OrderStatus
from domain.order.view import OrderView
from starter.console import CommandError


class OrderSummary(BaseModel):
    workflow_id: str
    channel: str
    marketplace_order_id: str
    status: str
    needs_attention: bool
    ship_by: datetime | None = None
    started_at: datetime | None = None
    running: bool


# Channel names and marketplace order ids as people type them: letters,
# digits and ._- only, so they never change the meaning of a visibility query.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
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
    if not (_NAME.fullmatch(channel) and _NAME.fullmatch(marketplace_order_id)):
        raise ValueError(f"{order_id!r} is not an order id; expected {ORDER_ID_FORMS} (letters, digits, ._-)")
    return order_workflow_id(channel, marketplace_order_id)


def order_status(status: str) -> OrderStatus:
    try:
        return OrderStatus(status.upper())
    except ValueError:
        raise ValueError(f"{status!r} is not an order status; one of {', '.join(OrderStatus)}") from None


def channel_name(channel: str) -> str:
    if not _NAME.fullmatch(channel):
        raise ValueError(f"{channel!r} is not a channel name (letters, digits, ._-)")
    return channel


def list_query(status: str | None = None, channel: str | None = None, needs_attention: bool = False) -> str:
    """The visibility query for orders. Status and channel are checked
    first (ValueError otherwise): they often come straight from a person."""
    clauses = [f"WorkflowType = '{names.ORDER_WORKFLOW}'"]
    if status:
        clauses.append(f"{names.ORDER_STATUS.name} = {_quoted(order_status(status))}")
    if channel:
        clauses.append(f"{names.CHANNEL.name} = {_quoted(channel_name(channel))}")
    if needs_attention:
        clauses.append(f"{names.NEEDS_ATTENTION.name} = true")
    return " AND ".join(clauses)


def _quoted(checked: str) -> str:
    # Only for values already checked to hold no quote or backslash.
    return f"'{checked}'"


async def list_orders(client: Client, query: str, limit: int | None = None) -> list[OrderSummary]:
    summaries: list[OrderSummary] = []
    async for wf in client.list_workflows(query, limit=limit):
        attrs = wf.typed_search_attributes
        channel, order_id = parse_order_workflow_id(wf.id)
        summaries.append(
            OrderSummary(
                workflow_id=wf.id,
                channel=attrs.get(names.CHANNEL) or channel,
                marketplace_order_id=attrs.get(names.MARKETPLACE_ORDER_ID) or order_id,
                status=attrs.get(names.ORDER_STATUS) or "UNKNOWN",
                needs_attention=bool(attrs.get(names.NEEDS_ATTENTION)),
                ship_by=attrs.get(names.SHIP_BY),
                started_at=wf.start_time,
                running=wf.status == WorkflowExecutionStatus.RUNNING,
            )
        )
    return summaries


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
