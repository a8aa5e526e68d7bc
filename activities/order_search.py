"""Finding order workflows through Temporal's visibility: the queries ops
use (`orders list`, `orders stuck`, `health`) and the alert evaluation uses,
and asking many orders for their view at once without waiting long on any."""

import asyncio
from datetime import datetime, timedelta

from pydantic import BaseModel
from temporalio.client import Client, WorkflowExecutionStatus

from domain import names
from domain.ids import parse_order_workflow_id
from domain.order.view import OrderView
from domain.search_terms import channel_name, order_status


class OrderSummary(BaseModel):
    workflow_id: str
    channel: str
    marketplace_order_id: str
    status: str
    needs_attention: bool
    ship_by: datetime | None = None
    started_at: datetime | None = None
    running: bool


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


# Asking each order for its details: when no worker serves it (the very
# moment ops look), a query waits for one; many orders are asked at once, and
# none for long, so the answer comes back in seconds either way.
DETAILS_PATIENCE = timedelta(seconds=3)
DETAILS_AT_ONCE = 20


async def order_views(client: Client, workflow_ids: list[str]) -> list[OrderView | None]:
    """Each order's live view (a closed order's result), None where it did not answer."""
    gate = asyncio.Semaphore(DETAILS_AT_ONCE)

    async def view(workflow_id: str) -> OrderView | None:
        async with gate:
            handle = client.get_workflow_handle(workflow_id, result_type=OrderView)
            try:
                return await handle.query(names.QUERY_VIEW, result_type=OrderView, rpc_timeout=DETAILS_PATIENCE)
            except Exception:  # gone, or no worker answered: the caller still has the summary
                return None

    return list(await asyncio.gather(*(view(workflow_id) for workflow_id in workflow_ids)))
