"""Resuming, in one go, every order that waits for the same kind of fix:
orders stuck on an EAN the catalog lacked go on once it has them."""

from dataclasses import dataclass, field

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError

from activities.store import InventoryStore
from domain import names
from domain.order.messages import ResumeRequest
from domain.order.state import waiting_on_eans
from domain.order.view import OrderView
from domain.reasons import WaitingReason
from starter import orders_api


@dataclass
class ResumeOutcome:
    resumed: list[str] = field(default_factory=list)
    # Order id -> the EANs it still waits for.
    still_waiting: dict[str, list[str]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        lines = [f"resumed {order_id}" for order_id in self.resumed]
        lines += [f"{order_id} still waits for EAN {', '.join(eans)}" for order_id, eans in self.still_waiting.items()]
        return lines


async def resume_waiting(
    client: Client, reason: WaitingReason, inventory: InventoryStore, cause: str | None = None
) -> ResumeOutcome:
    """Orders waiting on unknown EANs show NeedsAttention; each one's view
    names the EANs. Those whose EANs are all in the catalog now are resumed,
    with a note in their timeline saying why (`cause`: what added them). (Not filtered on OrderStatus:
    an order started other than by intake has none until it is accepted.)"""
    outcome = ResumeOutcome()
    query = orders_api.list_query(needs_attention=True)
    for summary in await orders_api.list_orders(client, query):
        if not summary.running:
            continue
        handle = client.get_workflow_handle(summary.workflow_id)
        try:
            view = await handle.query(names.QUERY_VIEW, result_type=OrderView)
        except RPCError:
            continue  # closed meanwhile, or no worker to answer: nothing to resume now
        eans = waiting_on_eans(view)
        if not eans:
            continue  # waiting for something else
        missing = [ean for ean in eans if inventory.product_by_ean(ean) is None]
        order_id = summary.marketplace_order_id
        if missing:
            outcome.still_waiting[order_id] = missing
            continue
        note = f"EAN {', '.join(eans)} is in the catalog now ({cause or reason})"
        try:
            await handle.execute_update(names.UPDATE_RESUME, ResumeRequest(note=note), result_type=str)
        except WorkflowUpdateFailedError:
            continue  # it went on meanwhile (resumed by someone else)
        outcome.resumed.append(order_id)
    return outcome
