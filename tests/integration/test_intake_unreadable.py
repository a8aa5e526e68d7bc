"""One order or return bol lists in a shape intake cannot read is skipped and
reported; every other order and return still comes in, in the same poll.
(Before, the whole page failed validation and the poll retried forever.)"""

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from temporalio.service import RPCError
from temporalio.testing import ActivityEnvironment

from activities.channels import Channels
from activities.intake import IntakeActivities
from domain.ids import order_workflow_id
from domain.intake import IntakeWatch
from tests.sandbox.helpers import BolClient
from tests.support import SandboxedBol, bol_channel
from tests.workflows.helpers import MUG


async def test_an_unreadable_order_or_return_is_skipped_and_reported_and_the_rest_come_in(dev_env, task_queue):
    bol = SandboxedBol.start(process_delay_seconds=0.01)
    first, unreadable, last = [await bol.place_order([{**MUG, "quantity": 1}]) for _ in range(3)]
    delivered = await bol.place_order([{**MUG, "quantity": 2}])
    item_id = delivered["orderItems"][0]["orderItemId"]
    async with httpx.AsyncClient(transport=bol.transport, base_url=bol.url) as http:
        assert (await BolClient(http).ship({"orderItemId": item_id})).status_code == 202
    await asyncio.sleep(0.05)  # the shipment's process succeeds
    bad_return = await bol.post("/_sandbox/returns", {"orderItemId": item_id, "quantity": 1})
    good_return = await bol.post("/_sandbox/returns", {"orderItemId": item_id, "quantity": 1})
    for path, bad_id in (("/retailer/orders", unreadable["orderId"]), ("/retailer/returns", bad_return["returnId"])):
        await bol.post("/_sandbox/faults", {"path": path, "method": "GET", "kind": "malformed", "itemId": bad_id})

    channels = Channels.from_config({"bol": bol_channel(bol.url)}, {"bol": bol.transport})
    intake = IntakeActivities(channels, dev_env.client, task_queue)
    watch = IntakeWatch(channel="bol", interval=timedelta(milliseconds=50), duration=timedelta(milliseconds=200))
    started = [order_workflow_id("bol", o["orderId"]) for o in (first, last)]
    try:
        result = await ActivityEnvironment().run(intake.watch_channel, watch)

        assert result.orders_started == 2 and result.returns_forwarded == 1
        assert {(item.kind, item.item_id) for item in result.unreadable} == {
            ("order", unreadable["orderId"]),
            ("return", bad_return["returnId"]),
        }
        assert all(item.reason for item in result.unreadable)
        for workflow_id in started:
            assert (await dev_env.client.get_workflow_handle(workflow_id).describe()).workflow_type == "OrderWorkflow"
        with pytest.raises(RPCError):
            await dev_env.client.get_workflow_handle(order_workflow_id("bol", unreadable["orderId"])).describe()
        assert good_return["rmaId"] != bad_return["rmaId"]
        assert result.cursor > datetime.now(UTC) - timedelta(minutes=1)
    finally:
        for workflow_id in started:
            with contextlib.suppress(RPCError):
                await dev_env.client.get_workflow_handle(workflow_id).terminate("test over")
        await channels.aclose()


async def test_orders_come_in_while_the_returns_cannot_be_read(dev_env, task_queue):
    bol = SandboxedBol.start(process_delay_seconds=0.01)
    order = await bol.place_order([{**MUG, "quantity": 1}])
    await bol.post("/_sandbox/faults", {"path": "/retailer/returns", "kind": "status", "status": 500})

    channels = Channels.from_config({"bol": bol_channel(bol.url)}, {"bol": bol.transport})
    intake = IntakeActivities(channels, dev_env.client, task_queue)
    watch = IntakeWatch(channel="bol", interval=timedelta(milliseconds=50), duration=timedelta(milliseconds=200))
    handle = dev_env.client.get_workflow_handle(order_workflow_id("bol", order["orderId"]))
    try:
        result = await ActivityEnvironment().run(intake.watch_channel, watch)

        assert result.orders_started == 1
        assert (await handle.describe()).workflow_type == "OrderWorkflow"
        assert result.returns_error and "500" in result.returns_error
        returns_reads = list(bol.state.requests("/retailer/returns"))
        assert len(returns_reads) >= 2  # tried again at the next poll, not only after the returns interval
    finally:
        with contextlib.suppress(RPCError):
            await handle.terminate("test over")
        await channels.aclose()


async def test_an_order_temporal_will_not_take_is_skipped_and_reported(dev_env, task_queue):
    bol = SandboxedBol.start(process_delay_seconds=0.01)
    refused = await bol.place_order([{**MUG, "quantity": 1}], orderId="9" * 1100)  # past Temporal's id length
    order = await bol.place_order([{**MUG, "quantity": 1}])

    channels = Channels.from_config({"bol": bol_channel(bol.url)}, {"bol": bol.transport})
    intake = IntakeActivities(channels, dev_env.client, task_queue)
    watch = IntakeWatch(channel="bol", interval=timedelta(milliseconds=50), duration=timedelta(milliseconds=100))
    handle = dev_env.client.get_workflow_handle(order_workflow_id("bol", order["orderId"]))
    try:
        result = await ActivityEnvironment().run(intake.watch_channel, watch)

        assert result.orders_started == 1
        assert (await handle.describe()).workflow_type == "OrderWorkflow"
        assert [(item.kind, item.item_id) for item in result.unreadable] == [("order", refused["orderId"])]
    finally:
        with contextlib.suppress(RPCError):
            await handle.terminate("test over")
        await channels.aclose()
