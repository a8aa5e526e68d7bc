"""Reading and steering order workflows from outside: what the CLI, the
simulators and other services' scripts use."""

from datetime import datetime, timedelta

from pydantic import BaseModel
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError

from domain import names
from domain.ids import ORDER_PREFIX, order_workflow_id, parse_order_workflow_id
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


def resolve_order_id(order_id: str, default_channel: str = "bol") -> str:
    """Accept `order:bol:123`, `bol:123` or `123` (on the default channel)."""
    if order_id.startswith(f"{ORDER_PREFIX}:"):
        parse_order_workflow_id(order_id)
        return order_id
    if ":" in order_id:
        channel, marketplace_order_id = order_id.split(":", 1)
        return order_workflow_id(channel, marketplace_order_id)
    return order_workflow_id(default_channel, order_id)


def list_query(status: str | None = None, channel: str | None = None, needs_attention: bool = False) -> str:
    clauses = [f"WorkflowType = '{names.ORDER_WORKFLOW}'"]
    if status:
        clauses.append(f"{names.ORDER_STATUS.name} = '{status.upper()}'")
    if channel:
        clauses.append(f"{names.CHANNEL.name} = '{channel}'")
    if needs_attention:
        clauses.append(f"{names.NEEDS_ATTENTION.name} = true")
    return " AND ".join(clauses)


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


async def show_order(client: Client, workflow_id: str) -> OrderView:
    """The live view from the workflow; for a closed order, its result."""
    handle = client.get_workflow_handle(workflow_id, result_type=OrderView)
    try:
        description = await handle.describe()
    except RPCError as exc:
        raise CommandError(f"no order {workflow_id}: {exc.message}") from exc
    if description.status == WorkflowExecutionStatus.COMPLETED:
        return await handle.result()
    try:
        return await handle.query(names.QUERY_VIEW, result_type=OrderView)
    except RPCError as exc:
        raise CommandError(f"order {workflow_id} cannot answer ({exc.message}); is a worker running?") from exc


async def update_order(
    client: Client, workflow_id: str, update: str, request: BaseModel, rpc_timeout: timedelta | None = None
) -> str:
    handle = order_handle(client, workflow_id)
    return await handle.execute_update(update, request, result_type=str, rpc_timeout=rpc_timeout)
