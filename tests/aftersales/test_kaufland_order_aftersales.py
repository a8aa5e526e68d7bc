"""A Kaufland order after shipping, through OrderWorkflow on the
time-skipping server with the real activities and the Kaufland sandbox: a
buyer's message left unanswered makes it NeedsAttention until answered, and
one of its three pieces comes back."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from temporalio.client import WorkflowHandle

from activities.intake import IntakeActivities
from activities.tickets import TicketWatch
from domain.order.messages import ReturnReceivedRequest
from domain.order.status import OrderStatus, Step
from starter import aftersales_api
from tests.aftersales.support import kaufland_engine, picked_order
from tests.support import eventually
from tests.workflows.helpers import view, wait_for, wait_for_attention
from workflows.order import OrderWorkflow

MUG = {"ean": "8710103917885", "quantity": 3, "price": 1295, "title": "Blue enamel mug", "id_offer": "MUG-BLUE"}


async def test_an_unanswered_message_needs_attention_and_one_of_three_pieces_returns(time_env, tmp_path: Path):
    kaufland, settings, engine = kaufland_engine(tmp_path, "kl-aftersales")
    client = time_env.client
    try:
        async with engine.worker(client):
            units, workflow_id, handle = await picked_order(client, kaufland, settings.task_queue, MUG)
            await wait_for(handle, OrderStatus.SHIPPED)

            # The buyer wrote two days ago and nobody answered: only this order is told.
            adapter = engine.channels["kl"]
            watch = TicketWatch(client, every=timedelta(0))
            await kaufland.post(
                "/_sandbox/tickets",
                {"id_order_units": [units[0]], "message": "Is it dishwasher safe?", "at": _ago(days=2)},
            )
            assert await watch.check("kl", adapter, datetime.now(UTC)) == 1
            flagged = await wait_for_attention(handle)
            assert "Is it" not in flagged.attention[Step.UNANSWERED_MESSAGE]  # the buyer's words stay out
            assert await watch.check("kl", adapter, datetime.now(UTC)) == 0  # told once, not every poll

            answered = await aftersales_api.reply(
                client, workflow_id, "Yes, it is.", settings=settings, channels=engine.channels
            )
            assert len(answered) == 1
            await eventually(lambda: _cleared(handle))
            [ticket] = kaufland.state.tickets()
            assert ticket["messages"][-1]["text"] == "Yes, it is." and not ticket["is_seller_responsible"]

            # One of the three pieces comes back, announced by the buyer and received.
            # (Read as a push's return event has intake read them; a repeat forwards nothing.)
            await kaufland.post("/_sandbox/returns", {"id_order_units": [units[1]], "reason": "dislike"})
            intake = IntakeActivities(engine.channels, client, settings.task_queue)
            assert await intake.forward_returns("kl") == 1
            assert await intake.forward_returns("kl") == 0
            await wait_for(handle, OrderStatus.RETURN_OPEN)
            await handle.execute_update(OrderWorkflow.return_received, ReturnReceivedRequest(resellable=True))
            closed = await handle.result()  # the return window passes on the time-skipping server
    finally:
        await engine.aclose()

    [line] = closed.lines
    assert (line.quantity, line.quantity_shipped, line.quantity_returned) == (3, 3, 1)
    assert closed.returns[0].refund == Decimal("12.95")
    assert closed.status == OrderStatus.CLOSED and not closed.needs_attention
    [ret] = kaufland.state.return_units()
    assert ret["id_order_unit"] == units[1] and ret["status"] == "return_accepted"
    assert [kaufland.state.unit(u)["status"] for u in units] == ["sent", "returned", "sent"]
    assert engine.inventory.stock("MUG-BLUE").on_hand == 48  # three shipped, one back on the shelf


def _ago(**delta: float) -> str:
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


async def _cleared(handle: WorkflowHandle) -> bool:
    return not (await view(handle)).needs_attention
