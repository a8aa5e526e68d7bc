"""The less travelled branches of the order lifecycle."""

import logging
from datetime import UTC, datetime, timedelta

from activities.return_watch import ReturnWatch
from domain.catalog import Product
from domain.channels import Marketplace
from domain.order.marketplace import ReturnNotice
from domain.order.messages import CancelRequest, PickRequest, ResumeRequest, ReturnReceivedRequest, ShipRequest
from domain.order.status import OrderStatus, Step
from domain.order.view import LineQuantity
from domain.reasons import CancellationReason
from tests.support import eventually
from tests.workflows.helpers import LAMP, MUG, keep_history, place_and_start, view, wait_for, wait_for_attention
from workflows.order import OrderWorkflow

UNKNOWN = {"ean": "5012345678900", "unitPrice": "9.99", "title": "Kettle we never listed"}


async def test_an_unknown_ean_needs_attention_until_the_product_exists(time_env, engines, bol, task_queue):
    engine = engines.build(task_queue)
    async with engine.worker(time_env.client):
        _order, handle = await place_and_start(time_env.client, bol, task_queue, [{**UNKNOWN, "quantity": 1}])
        stuck = await wait_for_attention(handle)
        assert "EAN 5012345678900 is not in the catalog" in stuck.attention[Step.ACCEPT]
        engine.inventory.upsert_product(Product(sku="KETTLE", ean="5012345678900", title="Kettle"))
        engine.inventory.set_stock("KETTLE", 3)
        await handle.execute_update(OrderWorkflow.resume, ResumeRequest(note="listed the kettle"))
        ready = await wait_for(handle, OrderStatus.AWAITING_PICK)
        await keep_history(handle, "order-unknown-ean-then-resume")
    assert not ready.needs_attention and ready.lines[0].reserved
    assert engine.inventory.stock("KETTLE").reserved == 1


async def test_ops_cancel_counts_against_the_seller(time_env, engines, bol, task_queue):
    engine = engines.build(task_queue)
    async with engine.worker(time_env.client):
        _order, handle = await place_and_start(time_env.client, bol, task_queue, [{**MUG, "quantity": 2}])
        await wait_for(handle, OrderStatus.AWAITING_PICK)
        await handle.execute_update(OrderWorkflow.cancel, CancelRequest(reason=CancellationReason.BAD_CONDITION))
        result = await handle.result()
        await keep_history(handle, "order-cancelled-by-ops")
    assert result.status == OrderStatus.CANCELLED
    assert [c["reasonCode"] for c in bol.state.cancellations()] == ["BAD_CONDITION"]
    [cancellation] = engine.ledger.cancellations("bol", since=result.placed_at)
    assert cancellation.seller_fault and cancellation.quantity == 2
    assert engine.inventory.stock("MUG-BLUE").available == 50


async def test_a_return_left_unhandled_past_the_sla_needs_attention_then_is_rejected(
    time_env, engines, bol, task_queue
):
    engine = engines.build(task_queue)
    async with engine.worker(time_env.client):
        order, handle = await place_and_start(time_env.client, bol, task_queue, [{**LAMP, "quantity": 1}])
        await wait_for(handle, OrderStatus.AWAITING_PICK)
        await handle.execute_update(OrderWorkflow.pick, PickRequest(track_and_trace="3SBOL0000011"))
        await wait_for(handle, OrderStatus.SHIPPED)
        bol.state.register_return(
            orderItemId=order["orderItems"][0]["orderItemId"], quantity=1, mainReason="Artikel werkt niet"
        )
        # Intake's returns poll: it forwards the return, and tells the order
        # once the return is still open on bol past bol's SLA.
        watch = ReturnWatch(time_env.client)
        listed = await engine.channels["bol"].open_returns()
        # The watch's clock is bol's, from its registration of the return: the
        # shared time-skipping server's clock may have run years ahead of it.
        registered = listed[0].registered_at
        assert registered is not None
        assert await watch.check("bol", Marketplace.BOL, listed, registered) == 0
        await handle.signal(OrderWorkflow.return_announced, listed[0])
        await wait_for(handle, OrderStatus.RETURN_OPEN)

        await time_env.sleep(timedelta(hours=49))  # bol expects returns handled within 48 hours
        listed = await engine.channels["bol"].open_returns()
        assert await watch.check("bol", Marketplace.BOL, listed, registered + timedelta(hours=49)) == 1
        late = await wait_for_attention(handle)
        assert "not handled within" in late.attention[Step.LATE_RETURN]

        await handle.execute_update(
            OrderWorkflow.return_received, ReturnReceivedRequest(meets_conditions=False, resellable=False)
        )
        closed = await handle.result()
        await keep_history(handle, "order-late-return-rejected")
    assert closed.status == OrderStatus.CLOSED and not closed.needs_attention
    assert closed.returns[0].handling == "RETURN_DOES_NOT_MEET_CONDITIONS" and closed.returns[0].refund is None
    assert bol.state.returns()[0]["handled"] is True
    assert engine.inventory.stock("LAMP-DESK").on_hand == 49  # not resellable: not back in stock


async def test_a_late_return_of_an_order_that_is_not_running_is_logged_and_the_watch_goes_on(time_env, caplog):
    watch = ReturnWatch(time_env.client)
    registered = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    notice = ReturnNotice(
        marketplace_order_id="1043965710", rma_id="R9", ean="8710103917885", quantity=1, registered_at=registered
    )
    with caplog.at_level(logging.WARNING):
        assert await watch.check("bol", Marketplace.BOL, [notice], registered + timedelta(hours=49)) == 1
    assert "return(s) ['R9'] of bol order 1043965710 are late: no running order" in caplog.text


async def test_ops_can_ship_with_another_transporter_and_tracking(time_env, engines, bol, task_queue):
    engine = engines.build(task_queue)
    async with engine.worker(time_env.client):
        _order, handle = await place_and_start(time_env.client, bol, task_queue, [{**MUG, "quantity": 1}])
        await wait_for(handle, OrderStatus.AWAITING_PICK)
        await handle.execute_update(
            OrderWorkflow.ship, ShipRequest(transporter_code="DHL_DE", track_and_trace="JJD000123")
        )
        shipped = await wait_for(handle, OrderStatus.SHIPPED)
        await keep_history(handle, "order-shipped-with-override")
    assert shipped.shipments[0].transport.transporter_code == "DHL_DE"
    assert [(s["transporterCode"], s["trackAndTrace"]) for s in bol.state.shipments()] == [("DHL_DE", "JJD000123")]


async def test_lines_picked_separately_ship_as_separate_shipments(time_env, engines, bol, task_queue):
    engine = engines.build(task_queue)
    async with engine.worker(time_env.client):
        order, handle = await place_and_start(
            time_env.client, bol, task_queue, [{**MUG, "quantity": 3}, {**LAMP, "quantity": 1}]
        )
        await wait_for(handle, OrderStatus.AWAITING_PICK)
        mug, lamp = (i["orderItemId"] for i in order["orderItems"])
        await handle.execute_update(OrderWorkflow.pick, PickRequest(lines=[LineQuantity(line_id=mug, quantity=2)]))

        async def first_parcel_out():
            current = await view(handle)
            return current if current.shipments and current.status == OrderStatus.AWAITING_PICK else None

        partly = await eventually(first_parcel_out)
        assert [(line.quantity_shipped, line.open_quantity) for line in partly.lines] == [(2, 1), (0, 1)]
        await handle.execute_update(OrderWorkflow.pick, PickRequest())
        shipped = await wait_for(handle, OrderStatus.SHIPPED)
        await keep_history(handle, "order-partial-picks")
    assert len(shipped.shipments) == 2
    parcels = [sorted((i["orderItemId"], i["quantity"]) for i in s["items"]) for s in bol.state.shipments()]
    assert parcels == [[(mug, 2)], sorted([(mug, 1), (lamp, 1)])]
