"""Intake's poll of a Kaufland channel also notices a buyer waiting too long
and signals that order, and only that one."""

import uuid
from datetime import UTC, datetime, timedelta

from temporalio.api.enums.v1 import EventType
from temporalio.testing import ActivityEnvironment

from activities.channels import Channels
from activities.intake import IntakeActivities
from domain import names
from domain.ids import order_workflow_id
from tests.support import SandboxedKaufland, kaufland_channel


async def test_a_poll_signals_only_the_order_whose_buyer_waits(time_env):
    kaufland = SandboxedKaufland.start()
    channels = Channels.from_config({"kl": kaufland_channel(kaufland.api_url)}, {"kl": kaufland.transport})
    intake = IntakeActivities(channels, time_env.client, f"kl-intake-{uuid.uuid4()}")
    waiting, answered = [await kaufland.place_order([{"ean": "8710103917885"}]) for _ in range(2)]
    old = (datetime.now(UTC) - timedelta(hours=30)).isoformat()
    for order in (waiting, answered):
        unit = order["order_units"][0]["id_order_unit"]
        await kaufland.post("/_sandbox/tickets", {"id_order_units": [unit], "message": "Hello?", "at": old})
    [_, ticket] = kaufland.state.tickets()
    with kaufland.state.lock:  # the seller answered the second one (in Kaufland's portal, say)
        kaufland.state.after_sales.add_message(ticket["id_ticket"], "seller", "Answered.", datetime.now(UTC))
    try:
        # Starts both orders, then looks at the tickets.
        await ActivityEnvironment().run(intake.poll_once, "kl", None)
    finally:
        await channels.aclose()

    async def signals(order: dict) -> list[str]:
        handle = time_env.client.get_workflow_handle(order_workflow_id("kl", order["id_order"]))
        history = await handle.fetch_history()
        return [
            e.workflow_execution_signaled_event_attributes.signal_name
            for e in history.events
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
        ]

    assert await signals(waiting) == [names.SIGNAL_TICKETS_OVERDUE]
    assert await signals(answered) == []
    for order in (waiting, answered):
        await time_env.client.get_workflow_handle(order_workflow_id("kl", order["id_order"])).terminate("test over")
