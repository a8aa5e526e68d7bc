"""Resuming, in one go, every order that waits for the same kind of fix:
orders stuck on an EAN the catalog lacked go on once it has them; orders
whose warehouse push gave up go on (and push again) once it is back."""

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import timedelta

from temporalio.client import Client, WorkflowExecutionStatus, WorkflowUpdateFailedError
from temporalio.service import RPCError

from activities.store import InventoryStore
from domain import names
from domain.order.messages import ResumeRequest
from domain.order.state import waiting_on_eans
from domain.order.status import Step
from domain.order.view import OrderView
from domain.reasons import WaitingReason
from starter import orders_api

# A worker answers a query in milliseconds. An order whose worker is down
# (or just stopped: the server then waits about 30 s for a poller) must not
# hold up the rest, so the orders are asked together, each this patiently.
PATIENCE = timedelta(seconds=5)
ASKED_AT_ONCE = 20


@dataclass
class ResumeOutcome:
    resumed: list[str] = field(default_factory=list)
    # Order id -> the EANs it still waits for.
    still_waiting: dict[str, list[str]] = field(default_factory=dict)
    # Orders that did not answer in time: running, but no worker serves them.
    unanswered: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [f"resumed {order_id}" for order_id in self.resumed]
        lines += [f"{order_id} still waits for EAN {', '.join(eans)}" for order_id, eans in self.still_waiting.items()]
        lines += [
            f"{order_id} did not answer within {PATIENCE.seconds} s (is its worker running?): run this again later"
            for order_id in self.unanswered
        ]
        return lines


async def resume_waiting(
    client: Client, reason: WaitingReason, inventory: InventoryStore, cause: str | None = None
) -> ResumeOutcome:
    """Orders waiting for `reason` show NeedsAttention; each one's view says
    what it waits for. Orders waiting on unknown EANs are resumed once all
    their EANs are in the catalog; orders waiting for the warehouse are all
    resumed (each pushes again, and needs attention again if it is still
    down). Each gets a note in its timeline saying why (`cause`: what fixed
    it). (Not filtered on OrderStatus: an order started other than by
    intake has none until it is accepted.)"""
    query = orders_api.list_query(needs_attention=True)
    running = [summary for summary in await orders_api.list_orders(client, query) if summary.running]
    outcome = ResumeOutcome()
    gate = asyncio.Semaphore(ASKED_AT_ONCE)

    async def ask(summary: orders_api.OrderSummary) -> None:
        async with gate:
            await _resume_one(client, summary, reason, inventory, cause or str(reason), outcome)

    await asyncio.gather(*(ask(summary) for summary in running))
    outcome.resumed.sort()
    outcome.still_waiting = dict(sorted(outcome.still_waiting.items()))
    outcome.unanswered.sort()
    return outcome


async def _resume_one(
    client: Client,
    summary: orders_api.OrderSummary,
    reason: WaitingReason,
    inventory: InventoryStore,
    cause: str,
    outcome: ResumeOutcome,
) -> None:
    handle = client.get_workflow_handle(summary.workflow_id)
    order_id = summary.marketplace_order_id
    try:
        view = await handle.query(names.QUERY_VIEW, result_type=OrderView, rpc_timeout=PATIENCE)
    except RPCError:
        # No worker answered, or the order closed meanwhile: the server tells which.
        with contextlib.suppress(RPCError):
            if (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
                outcome.unanswered.append(order_id)
        return
    if reason is WaitingReason.WAREHOUSE:
        if Step.WAREHOUSE not in view.attention:
            return  # waiting for something else
        note = f"the warehouse is back ({cause})"
    else:
        eans = waiting_on_eans(view)
        if not eans:
            return  # waiting for something else
        missing = [ean for ean in eans if await asyncio.to_thread(inventory.product_by_ean, ean) is None]
        if missing:
            outcome.still_waiting[order_id] = missing
            return
        note = f"EAN {', '.join(eans)} is in the catalog now ({cause})"
    try:
        await handle.execute_update(names.UPDATE_RESUME, ResumeRequest(note=note), result_type=str)
    except WorkflowUpdateFailedError:
        return  # it went on meanwhile (resumed by someone else)
    outcome.resumed.append(order_id)
