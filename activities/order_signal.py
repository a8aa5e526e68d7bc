"""A signal from intake's watches (late returns, waiting buyers) to one
order: an order that is not running (closed long ago, or never ours) is no
error there, since the marketplace's portal still shows what was late."""

from pydantic import BaseModel
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from domain.ids import order_workflow_id


async def signal_order(client: Client, channel: str, order_id: str, signal: str, notice: BaseModel) -> bool:
    """False when no order of that id is running."""
    handle = client.get_workflow_handle(order_workflow_id(channel, order_id))
    try:
        await handle.signal(signal, notice)
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise
        return False
    return True
