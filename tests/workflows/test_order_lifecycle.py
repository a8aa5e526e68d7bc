"""The order lifecycle on the time-skipping server, with the real activities
talking to the bol sandbox and a real SQLite store."""

import json
from decimal import Decimal

import pytest
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import WorkflowUpdateFailedError

from domain import names
from domain.ids import line_key
from domain.order.messages import (
    BuyerCancellationRequested,
    CancelRequest,
    PickRequest,
    ResumeRequest,
    ReturnReceivedRequest,
)
from domain.order.status import OrderStatus, Step
from domain.order.view import LineQuantity
from domain.reasons import CancellationReason
from tests.support import eventually
from tests.workflows.helpers import LAMP as BOL_LAMP
from tests.workflows.helpers import MUG as BOL_MUG
from tests.workflows.helpers import (
    keep_history,
    place_and_start,
    place_and_start_as_intake,
    view,
    wait_for,
    wait_for_attention,
)
from tests.workflows.markets import LAMP, MUG, Market, start_order
from workflows.order import OrderWorkflow


async def keep(handle, market: Market, name: str) -> None:
    # The replay suite's histories are bol's, recorded before Kaufland.
    if market.channel == "bol":
        await keep_history(handle, name)


async def test_full_lifecycle_ships_waits_30_days_handles_a_return_and_closes(time_env, engines, bol, task_queue):
    engine = engines.build(task_queue)
    async with engine.worker(time_env.client):
        order, handle = await place_and_start_as_intake(
            time_env.client, bol, engine, task_queue, [{**BOL_MUG, "quantity": 2}, {**BOL_LAMP, "quantity": 1}]
        )
        # Accepted: seen in the store, not by a query, which would split the
        # order's first workflow task (and its recorded cost) while it accepts.
        await eventually(lambda: engine.inventory.stock("MUG-BLUE").reserved == 2)

        await handle.execute_update(OrderWorkflow.pick, PickRequest(track_and_trace="3SBOL0000001", weight_grams=900))
        shipped = await wait_for(handle, OrderStatus.SHIPPED)

        shipments = await bol.get("/_sandbox/shipments")
        assert [(s["transporterCode"], s["trackAndTrace"]) for s in shipments] == [("TNT", "3SBOL0000001")]
        assert sorted((i["orderItemId"], i["quantity"]) for i in shipments[0]["items"]) == sorted(
            (item["orderItemId"], item["quantity"]) for item in order["orderItems"]
        )
        assert engine.inventory.stock("MUG-BLUE").on_hand == 48  # taken off the shelf, reservation consumed
        assert engine.inventory.stock("MUG-BLUE").reserved == 0
        assert shipped.return_window_ends is not None

        mug_item = order["orderItems"][0]["orderItemId"]
        await bol.post("/_sandbox/returns", {"orderItemId": mug_item, "quantity": 1, "mainReason": "Anders"})
        notice = (await engine.channels["bol"].open_returns())[0]
        await handle.signal(OrderWorkflow.return_announced, notice)
        await wait_for(handle, OrderStatus.RETURN_OPEN)
        await handle.execute_update(OrderWorkflow.return_received, ReturnReceivedRequest(resellable=True))

        closed = await handle.result()  # the time-skipping server jumps the 30 days
        await keep_history(handle, "order-full-lifecycle-with-return")

    assert closed.status == OrderStatus.CLOSED
    assert closed.returns[0].handling == "RETURN_RECEIVED"
    assert closed.returns[0].refund == Decimal("12.95")
    assert closed.lines[0].quantity_returned == 1
    assert engine.inventory.stock("MUG-BLUE").on_hand == 49  # the resellable return is back in stock
    handled = await bol.get("/_sandbox/returns")
    assert handled[0]["handled"] is True


async def test_happy_path_accepts_picks_ships_and_closes_when_the_return_window_passes(
    own_time_env, engines, bol, task_queue
):
    """The cheapest branch, recorded as `order-happy-path` for the cost count.
    Nothing happens after shipping but the return window, so the test relies
    on time skipping alone: it gets a server of its own."""
    engine = engines.build(task_queue)
    async with engine.worker(own_time_env.client):
        _order, handle = await place_and_start_as_intake(
            own_time_env.client, bol, engine, task_queue, [{**BOL_MUG, "quantity": 1}]
        )
        await eventually(lambda: engine.inventory.stock("MUG-BLUE").reserved == 1)  # accepted (see above)
        await handle.execute_update(OrderWorkflow.pick, PickRequest(track_and_trace="3SBOL0000009"))
        await wait_for(handle, OrderStatus.SHIPPED)
        closed = await handle.result()  # the time-skipping server jumps the return window
        await keep_history(handle, "order-happy-path")

    assert closed.status == OrderStatus.CLOSED
    assert closed.returns == []
    assert [line.quantity_shipped for line in closed.lines] == [1]
    assert len(await bol.get("/_sandbox/shipments")) == 1
    assert engine.inventory.stock("MUG-BLUE").on_hand == 49


async def test_buyer_cancellation_before_pick_is_confirmed_and_releases_stock(time_env, engines, market, task_queue):
    engine = engines.build(task_queue, marketplace=market.marketplace)
    async with engine.worker(time_env.client):
        placed = await market.place([(MUG, 3)])
        handle = await start_order(time_env.client, market, task_queue, placed)
        await wait_for(handle, OrderStatus.AWAITING_PICK)
        item = placed.line_ids[0]
        await market.buyer_cancels(placed, item)
        await handle.signal(OrderWorkflow.buyer_cancellation_requested, BuyerCancellationRequested(line_ids=[item]))
        result = await handle.result()
        await keep(handle, market, "order-buyer-cancels-before-pick")

    assert result.status == OrderStatus.CANCELLED
    assert await market.cancelled() == market.buyer_cancellation_confirmed({item: 3})
    assert engine.inventory.stock("MUG-BLUE").reserved == 0
    assert engine.inventory.stock("MUG-BLUE").on_hand == 50
    assert await market.shipments() == []


async def test_cancellation_requested_between_pick_and_ship_is_never_shipped(time_env, engines, market, task_queue):
    engine = engines.build(task_queue, marketplace=market.marketplace)
    async with engine.worker(time_env.client):
        placed = await market.place([(MUG, 1)])
        handle = await start_order(time_env.client, market, task_queue, placed)
        await wait_for(handle, OrderStatus.AWAITING_PICK)
        # The buyer cancels on the marketplace; intake has not told the workflow yet.
        await market.buyer_cancels(placed)
        await handle.execute_update(OrderWorkflow.pick, PickRequest(track_and_trace="3SBOL0000002"))
        result = await handle.result()
        await keep(handle, market, "order-cancel-requested-between-pick-and-ship")

    assert result.status == OrderStatus.CANCELLED
    assert await market.shipments() == []
    assert await market.cancelled() == market.buyer_cancellation_confirmed({placed.line_ids[0]: 1})
    assert engine.inventory.stock("MUG-BLUE").reserved == 0


async def test_cancelling_one_line_of_two_still_ships_the_other(time_env, engines, market, task_queue):
    engine = engines.build(task_queue, marketplace=market.marketplace)
    async with engine.worker(time_env.client):
        placed = await market.place([(MUG, 1), (LAMP, 1)])
        handle = await start_order(time_env.client, market, task_queue, placed)
        await wait_for(handle, OrderStatus.AWAITING_PICK)
        mug, lamp = placed.line_ids
        await market.buyer_cancels(placed, mug)
        await handle.signal(OrderWorkflow.buyer_cancellation_requested, BuyerCancellationRequested(line_ids=[mug]))

        async def mug_cancelled():
            return (await view(handle)).lines[0].quantity_cancelled == 1

        await eventually(mug_cancelled)
        await handle.execute_update(OrderWorkflow.pick, PickRequest(track_and_trace="3SBOL0000003"))
        shipped = await wait_for(handle, OrderStatus.SHIPPED)
        await keep(handle, market, "order-one-line-of-two-cancelled")

    assert [(line.line_id, line.quantity_shipped, line.quantity_cancelled) for line in shipped.lines] == [
        (mug, 0, 1),
        (lamp, 1, 0),
    ]
    assert [lines for _carrier, _tracking, lines in await market.shipments()] == [{lamp: 1}]
    assert engine.inventory.stock("MUG-BLUE").available == 50


async def test_a_line_without_stock_is_cancelled_out_of_stock(time_env, engines, market, task_queue):
    """On Kaufland the lamp is one unit among three: only it is cancelled."""
    engine = engines.build(task_queue, marketplace=market.marketplace)
    engine.inventory.set_stock("LAMP-DESK", 0)
    async with engine.worker(time_env.client):
        placed = await market.place([(MUG, 2), (LAMP, 1)])
        handle = await start_order(time_env.client, market, task_queue, placed)

        async def lamp_cancelled():
            current = await view(handle)
            return current if current.lines and current.lines[1].quantity_cancelled == 1 else None

        current = await eventually(lamp_cancelled)
        mug, lamp = placed.line_ids
        assert await market.cancelled() == {lamp: (market.reason(CancellationReason.OUT_OF_STOCK), 1)}
        assert engine.ledger.cancellations(market.channel, since=current.placed_at)[0].seller_fault is True
        await handle.execute_update(OrderWorkflow.pick, PickRequest(track_and_trace="3SBOL0000005"))
        shipped = await wait_for(handle, OrderStatus.SHIPPED)
        await keep(handle, market, "order-out-of-stock-line")
    assert [line.quantity_shipped for line in shipped.lines] == [2, 0]
    assert [lines for _carrier, _tracking, lines in await market.shipments()] == [{mug: 2}]
    assert engine.inventory.reservation(line_key(market.channel, placed.order_id, lamp)) is None


async def test_a_line_of_several_pieces_ships_in_parts_and_its_rest_is_cancelled(time_env, engines, market, task_queue):
    """Three mugs on one line (on Kaufland: three units): two picked and
    shipped, the third cancelled by ops; each piece is shipped or cancelled
    exactly once, with its own unit id on Kaufland."""
    engine = engines.build(task_queue, marketplace=market.marketplace)
    async with engine.worker(time_env.client):
        placed = await market.place([(MUG, 3)])
        handle = await start_order(time_env.client, market, task_queue, placed)
        await wait_for(handle, OrderStatus.AWAITING_PICK)
        mug = placed.line_ids[0]
        picked = PickRequest(lines=[LineQuantity(line_id=mug, quantity=2)], track_and_trace="3SBOL0000006")
        await handle.execute_update(OrderWorkflow.pick, picked)

        async def two_shipped():
            return (await view(handle)).lines[0].quantity_shipped == 2

        await eventually(two_shipped)
        await handle.execute_update(
            OrderWorkflow.cancel, CancelRequest(line_ids=[mug], reason=CancellationReason.OUT_OF_STOCK)
        )
        done = await wait_for(handle, OrderStatus.SHIPPED)

    assert [(line.quantity_shipped, line.quantity_cancelled) for line in done.lines] == [(2, 1)]
    assert [(tracking, lines) for _carrier, tracking, lines in await market.shipments()] == [("3SBOL0000006", {mug: 2})]
    assert await market.cancelled() == {mug: (market.reason(CancellationReason.OUT_OF_STOCK), 1)}
    assert engine.inventory.stock("MUG-BLUE").on_hand == 48
    assert engine.inventory.stock("MUG-BLUE").reserved == 0


async def test_process_status_failure_needs_attention_then_resume_ships(time_env, engines, bol, task_queue):
    engine = engines.build(task_queue)
    await bol.post(
        "/_sandbox/faults",
        {
            "path": "/retailer/shipments",
            "method": "POST",
            "kind": "process_failure",
            "times": 1,
            "errorMessage": "Transporter code is not valid for this order",
        },
    )
    async with engine.worker(time_env.client):
        _order, handle = await place_and_start(time_env.client, bol, task_queue, [{**BOL_MUG, "quantity": 1}])
        await wait_for(handle, OrderStatus.AWAITING_PICK)
        await handle.execute_update(OrderWorkflow.pick, PickRequest(track_and_trace="3SBOL0000004"))
        stuck = await wait_for_attention(handle)
        assert "Transporter code is not valid" in stuck.attention[Step.SHIP]
        description = await handle.describe()
        assert description.typed_search_attributes.get(names.NEEDS_ATTENTION) is True
        assert await bol.get("/_sandbox/shipments") == []

        await handle.execute_update(OrderWorkflow.resume, ResumeRequest(note="checked with bol"))
        shipped = await wait_for(handle, OrderStatus.SHIPPED)
        await keep_history(handle, "order-process-failure-then-resume")
    assert not shipped.needs_attention
    assert len(await bol.get("/_sandbox/shipments")) == 1
    # Read raw: the test server reports an unset datetime as an empty list,
    # which the SDK's typed reader (and so describe()) cannot parse.
    raw = await time_env.client.workflow_service.describe_workflow_execution(
        DescribeWorkflowExecutionRequest(
            namespace=time_env.client.namespace, execution=WorkflowExecution(workflow_id=handle.id)
        )
    )
    attributes = {
        k: json.loads(v.data or b"null")
        for k, v in raw.workflow_execution_info.search_attributes.indexed_fields.items()
    }
    assert attributes["NeedsAttention"] is False
    assert attributes["OrderStatus"] == "SHIPPED"
    assert attributes.get("ShipBy") in (None, [])  # shipped: no longer "late"


async def test_updates_in_the_wrong_state_are_rejected_with_a_reason(time_env, engines, bol, task_queue):
    engine = engines.build(task_queue)
    async with engine.worker(time_env.client):
        _order, handle = await place_and_start(time_env.client, bol, task_queue, [{**BOL_MUG, "quantity": 1}])
        await wait_for(handle, OrderStatus.AWAITING_PICK)

        with pytest.raises(WorkflowUpdateFailedError) as rejected:
            await handle.execute_update(OrderWorkflow.return_received, ReturnReceivedRequest())
        assert "returns are handled after shipping" in str(rejected.value.cause)

        with pytest.raises(WorkflowUpdateFailedError) as rejected:
            await handle.execute_update(OrderWorkflow.resume, ResumeRequest())
        assert "does not need attention" in str(rejected.value.cause)

        with pytest.raises(WorkflowUpdateFailedError) as rejected:
            await handle.execute_update(
                OrderWorkflow.pick, PickRequest(lines=[LineQuantity(line_id="nope", quantity=1)])
            )
        assert "no line nope" in str(rejected.value.cause)

        await handle.execute_update(OrderWorkflow.pick, PickRequest())
        await wait_for(handle, OrderStatus.SHIPPED)
        with pytest.raises(WorkflowUpdateFailedError) as rejected:
            await handle.execute_update(OrderWorkflow.cancel, CancelRequest(reason=CancellationReason.OTHER))
        assert "nothing left to cancel" in str(rejected.value.cause)
        assert (await view(handle)).status == OrderStatus.SHIPPED
