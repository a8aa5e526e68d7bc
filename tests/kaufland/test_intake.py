"""The intake finds Kaufland orders by their units and hands each to its
workflow once; a unit Kaufland's customer service cancelled for the buyer
reaches its order as a buyer's cancellation."""

import contextlib
from datetime import timedelta

from temporalio.api.enums.v1 import EventType
from temporalio.service import RPCError
from temporalio.testing import ActivityEnvironment

from activities.channels import Channels
from activities.intake import IntakeActivities
from domain import names
from domain.ids import order_workflow_id
from domain.intake import IntakeWatch
from tests.support import SandboxedKaufland, kaufland_channel

MUG = {"ean": "8710103917885", "price": 1295, "id_offer": "MUG-BLUE"}
LAMP = {"ean": "4006381333931", "price": 4999, "id_offer": "LAMP-DESK"}


async def test_intake_starts_each_kaufland_order_once_and_forwards_a_buyer_cancellation(dev_env, task_queue):
    kaufland = SandboxedKaufland.start()
    mugs = await kaufland.place_order([{**MUG, "quantity": 2}, LAMP])
    lamp = await kaufland.place_order([LAMP])
    channels = Channels.from_config({"kaufland": kaufland_channel(kaufland.api_url)}, {"kaufland": kaufland.transport})
    intake = IntakeActivities(channels, dev_env.client, task_queue)
    started = [order_workflow_id("kaufland", o["id_order"]) for o in (mugs, lamp)]
    try:
        # The first poll of a watch is a full sweep of the open units.
        first = await ActivityEnvironment().run(intake.poll_once, "kaufland", None)
        cancelled_lamp = mugs["order_units"][2]["id_order_unit"]
        await kaufland.post(f"/_sandbox/order-units/{cancelled_lamp}/customer-cancel")
        # Later polls read the units changed since the cursor (with an overlap).
        watch = IntakeWatch(
            channel="kaufland",
            cursor=first.cursor,
            swept_at=first.cursor,
            interval=timedelta(milliseconds=20),
            duration=timedelta(milliseconds=60),
        )
        later = await ActivityEnvironment().run(intake.watch_channel, watch)

        assert first.orders_started == 2 and first.unreadable == []
        assert later.cancellations_forwarded == 1
        history = await dev_env.client.get_workflow_handle(started[0]).fetch_history()
        signals = [
            event.workflow_execution_signaled_event_attributes
            for event in history.events
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
        ]
        assert [s.signal_name for s in signals] == [names.SIGNAL_BUYER_CANCELLATION]
        assert str(cancelled_lamp) in signals[0].input.payloads[0].data.decode()
    finally:
        for workflow_id in started:
            with contextlib.suppress(RPCError):
                await dev_env.client.get_workflow_handle(workflow_id).terminate("test over")
        await channels.aclose()
