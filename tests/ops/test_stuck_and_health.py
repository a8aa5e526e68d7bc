"""What ops see: stuck orders with the way out, and per-channel health."""

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from temporalio.common import SearchAttributePair, TypedSearchAttributes

from activities.store.tables import OrderRecord
from domain import names
from domain.channels import Marketplace
from domain.ids import order_workflow_id
from domain.order.messages import OrderWorkflowInput, PickRequest
from domain.order.status import OrderStatus
from starter.health import channel_health
from starter.stuck_orders import stuck_orders
from tests.support import eventually
from tests.workflows.helpers import LAMP, MUG, place_and_start, place_and_start_as_intake, wait_for, wait_for_attention
from workflows.order import OrderWorkflow


async def test_stuck_lists_the_order_that_needs_attention_with_its_resume_command(dev_env, engines, bol, task_queue):
    engine = engines.build(task_queue)
    bol.state.add_fault(
        path="/retailer/shipments",
        method="POST",
        kind="process_failure",
        errorMessage="Invalid track and trace",
        times=1,
    )
    async with engine.worker(dev_env.client):
        order, handle = await place_and_start(dev_env.client, bol, task_queue, [{**MUG, "quantity": 1}])
        await wait_for(handle, OrderStatus.AWAITING_PICK)
        await handle.execute_update(OrderWorkflow.pick, PickRequest(track_and_trace="3SBOL???"))
        await wait_for_attention(handle)

        async def listed():
            return [s for s in await stuck_orders(dev_env.client) if s.marketplace_order_id == order["orderId"]]

        [stuck] = await eventually(listed)
    assert any("Invalid track and trace" in reason for reason in stuck.reasons)
    assert stuck.resume_with == f"fix the cause, then: ordertide order resume bol:{order['orderId']}"


async def test_stuck_answers_in_seconds_while_no_worker_serves_the_orders(dev_env, engines, bol, task_queue):
    """The moment ops run `orders stuck` is often when the worker is down: each
    order's details query then waits for a worker that is not there."""
    engine = engines.build(task_queue)
    bol.state.add_fault(path="/retailer/shipments", method="POST", kind="process_failure", times=1)
    async with engine.worker(dev_env.client):
        order, handle = await place_and_start(dev_env.client, bol, task_queue, [{**MUG, "quantity": 1}])
        await wait_for(handle, OrderStatus.AWAITING_PICK)
        await handle.execute_update(OrderWorkflow.pick, PickRequest(track_and_trace="3SBOL0000001"))
        await wait_for_attention(handle)

        async def listed():
            return [s for s in await stuck_orders(dev_env.client) if s.marketplace_order_id == order["orderId"]]

        await eventually(listed)
    # The worker has stopped.
    started = time.monotonic()
    [stuck] = await listed()
    assert time.monotonic() - started < 15
    assert stuck.reasons == ["needs attention (no worker answered for details)"]


async def test_health_flags_a_silent_channel_attention_and_seller_cancellations(dev_env, engines, bol, task_queue):
    engine = engines.build(task_queue)
    engine.inventory.set_stock("LAMP-DESK", 0)
    now = datetime.now(UTC)
    with engine.db.session() as s, s.begin():  # a busy week before this hour
        for n in range(400):
            s.add(
                OrderRecord(
                    channel="bol",
                    marketplace_order_id=f"old-{n}",
                    placed_at=now - timedelta(days=2),
                    received_at=now - timedelta(days=2, minutes=n),
                    payload={"lines": [{}]},
                )
            )
    async with engine.worker(dev_env.client):
        quiet = await channel_health(dev_env.client, engine.settings)
        assert quiet[0].silent and "no orders in the last hour" in quiet[0].problems[0]

        await place_and_start(dev_env.client, bol, task_queue, [{**MUG, "quantity": 1}, {**LAMP, "quantity": 1}])
        await eventually(lambda: bol.state.cancellations())

        async def flagged():
            report = (await channel_health(dev_env.client, engine.settings))[0]
            return report if report.orders_last_hour == 1 and report.seller_cancellation_rate else None

        report = await eventually(flagged)
    assert not report.silent
    # 1 seller-fault cancellation (out of stock) among 402 order lines received in 30 days.
    assert report.seller_cancellation_rate == Decimal("0.0025")
    assert not report.over_threshold and report.seller_cancellation_threshold == Decimal("0.02")


async def test_stuck_lists_an_order_no_worker_has_run_though_an_older_intake_started_it_awaiting_pick(
    dev_env, engines, bol, task_queue
):
    """Intake before code version 1 started a read order AWAITING_PICK
    without accepting it (free attributes, issue 12); if no worker ever runs
    it, it is still being accepted, and says so."""
    order = await bol.place_order([{**MUG, "quantity": 1}])
    handle = await dev_env.client.start_workflow(
        OrderWorkflow.run,
        OrderWorkflowInput(channel="bol", marketplace=Marketplace.BOL, marketplace_order_id=order["orderId"]),
        id=order_workflow_id("bol", order["orderId"]),
        task_queue=f"{task_queue}-no-worker",
        search_attributes=TypedSearchAttributes(
            [
                SearchAttributePair(names.CHANNEL, "bol"),
                SearchAttributePair(names.NEEDS_ATTENTION, False),
                SearchAttributePair(names.ORDER_STATUS, "AWAITING_PICK"),
            ]
        ),
    )
    later = datetime.now(UTC) + timedelta(minutes=6)

    async def listed():
        return [s for s in await stuck_orders(dev_env.client, now=later) if s.workflow_id == handle.id]

    try:
        [stuck] = await eventually(listed)
    finally:
        await handle.terminate("test over")
    assert stuck.status == "AWAITING_PICK"
    assert stuck.reasons[-1].startswith("still being accepted after 6 minutes")
    assert stuck.resume_with.startswith("nothing to resume: accepting is retried")


async def test_an_order_intake_started_accepted_is_not_stuck_while_it_awaits_pick(dev_env, engines, bol, task_queue):
    """Accepted before its start (code version 1, named at start): awaiting
    pick is where it is, run by a worker yet or not."""
    idle = f"{task_queue}-no-worker"
    engine = engines.build(idle)
    _order, handle = await place_and_start_as_intake(dev_env.client, bol, engine, idle, [{**MUG, "quantity": 1}])
    later = datetime.now(UTC) + timedelta(minutes=6)

    async def visible() -> bool:
        query = f"WorkflowId = '{handle.id}' AND OrderStatus = 'AWAITING_PICK'"
        return (await dev_env.client.count_workflows(query)).count == 1

    try:
        await eventually(visible)
        stuck = [s for s in await stuck_orders(dev_env.client, now=later) if s.workflow_id == handle.id]
    finally:
        await handle.terminate("test over")
    assert stuck == []
    assert engine.inventory.stock("MUG-BLUE").reserved == 1
