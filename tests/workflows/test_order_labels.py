"""Orders on a channel that ships with bol's own labels: the ship step buys
the cheapest label that keeps the delivery promise, ships with it, keeps its
PDF, and never buys twice when the step is retried."""

import asyncio
import os
import sys
from decimal import Decimal

import pytest

from activities.store.labels import ShippingLabels
from domain.channels import Marketplace
from domain.ids import order_workflow_id
from domain.labels import BoughtLabel, LabelRules, LabelSource
from domain.order.messages import CancelRequest, OrderWorkflowInput, PickRequest, ShipRequest
from domain.order.status import OrderStatus
from domain.order.view import LineQuantity
from domain.reasons import CancellationReason
from domain.transporters import TransporterRules
from starter import labels_api
from starter.console import CommandError
from tests.support import eventually
from tests.workflows.helpers import MUG, view, wait_for, wait_for_attention
from tests.workflows.markets import MUG as KAUFLAND_MUG
from tests.workflows.markets import KauflandMarket, start_order
from workflows.order import OrderWorkflow


async def test_the_ship_step_buys_the_cheapest_label_that_arrives_in_time_and_ships_with_it(
    time_env, engines, bol, task_queue
):
    engine = engines.build(task_queue, labels=LabelSource.MARKETPLACE)
    async with engine.worker(time_env.client):
        # One day promised: the letterbox parcel (2.88, two days) would arrive late.
        order = await bol.place_order([{**MUG, "quantity": 1}], latestDeliveryDays=1)
        handle = await _start(time_env.client, order, task_queue)
        await eventually(lambda: engine.inventory.stock("MUG-BLUE").reserved == 1)
        await handle.execute_update(OrderWorkflow.pick, PickRequest())
        shipped = await wait_for(handle, OrderStatus.SHIPPED)

    labels = bol.state.label_book.records()
    assert [(label["transporterCode"], label["price"]) for label in labels] == [("DHL", 4.29)]
    shipments = await bol.get("/_sandbox/shipments")
    assert [(s["transporterCode"], s["trackAndTrace"]) for s in shipments] == [("DHL", labels[0]["trackAndTrace"])]
    assert shipped.shipments[0].transport.track_and_trace == labels[0]["trackAndTrace"]
    assert any(labels[0]["trackAndTrace"] in note for note in shipped.history)
    stored = ShippingLabels(engine.inventory.db).get("bol", order["orderId"])
    assert stored is not None and stored.label_id == labels[0]["shippingLabelId"]
    assert stored.pdf is not None and stored.pdf.startswith(b"%PDF") and stored.price == Decimal("4.29")


async def test_a_retried_ship_step_follows_the_label_bought_before_instead_of_buying_again(
    time_env, engines, bol, task_queue
):
    engine = engines.build(task_queue, labels=LabelSource.MARKETPLACE)
    order = await bol.place_order([{**MUG, "quantity": 1}], latestDeliveryDays=3)
    item = order["orderItems"][0]["orderItemId"]
    # An earlier attempt got as far as bol accepting the purchase, then died.
    adapter = engine.channels["bol"]
    options = await adapter.labels.options([_line(item)])
    cheapest = min(options, key=lambda o: o.price)
    assert cheapest.label_type == "MAILBOX"  # three days promised: the letterbox parcel is in time
    accepted = await adapter.http.call(
        "POST",
        "/retailer/shipping-labels",
        json={"orderItems": [{"orderItemId": item}], "shippingLabelOfferId": cheapest.offer_id},
    )
    ShippingLabels(engine.inventory.db).buying("bol", order["orderId"], accepted.json()["processStatusId"])

    async with engine.worker(time_env.client):
        handle = await _start(time_env.client, order, task_queue)
        await eventually(lambda: engine.inventory.stock("MUG-BLUE").reserved == 1)
        await handle.execute_update(OrderWorkflow.pick, PickRequest())
        await wait_for(handle, OrderStatus.SHIPPED)
        assert (await view(handle)).shipments[0].transport.transporter_code == "TNT"

    labels = bol.state.label_book.records()
    assert len(labels) == 1 and labels[0]["usedByShipment"] is True


def _line(item: str) -> LineQuantity:
    return LineQuantity(line_id=item, quantity=1)


async def _start(client, order, task_queue):
    return await client.start_workflow(
        OrderWorkflow.run,
        OrderWorkflowInput(channel="bol", marketplace=Marketplace.BOL, marketplace_order_id=order["orderId"]),
        id=order_workflow_id("bol", order["orderId"]),
        task_queue=task_queue,
    )


async def test_ops_print_the_bought_label_from_the_command_line(engines, bol, task_queue, tmp_path):
    engine = engines.build(task_queue, labels=LabelSource.MARKETPLACE)
    order = await bol.place_order([{**MUG, "quantity": 1}], latestDeliveryDays=1)
    label = await _buy(engine, order["orderItems"][0]["orderItemId"])
    ShippingLabels(engine.inventory.db).bought("bol", order["orderId"], label)
    env = {**os.environ, "ORDERTIDE_DATABASE_URL": engine.settings.store_url, "ORDERTIDE_DATA_DIR": str(tmp_path)}

    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "starter.cli", "order", "label", f"bol:{order['orderId']}"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    pdf, said = await process.communicate()
    assert await process.wait() == 0, said
    assert pdf == label.pdf and pdf.startswith(b"%PDF")
    assert label.track_and_trace in said.decode()

    with pytest.raises(CommandError, match="no shipping label"):
        labels_api.label("order:bol:1000000001", engine.settings)


async def _buy(engine, item: str) -> BoughtLabel:
    async def accepted(_: str) -> None:
        return None

    return await engine.channels["bol"].labels.buy([_line(item)], LabelRules(), None, accepted)


async def test_a_transporter_that_needs_tracking_is_refused_before_bol_is_called(time_env, engines, bol, task_queue):
    engine = engines.build(task_queue)
    rules = TransporterRules.load().model_dump()
    rules["tracking_required"]["bol"] = {"codes": ["TNT"]}
    engine.rules = TransporterRules.model_validate(rules)
    async with engine.worker(time_env.client):
        order = await bol.place_order([{**MUG, "quantity": 1}])
        handle = await _start(time_env.client, order, task_queue)
        await eventually(lambda: engine.inventory.stock("MUG-BLUE").reserved == 1)
        await handle.execute_update(OrderWorkflow.pick, PickRequest(weight_grams=900))  # NL, light: TNT
        stuck = await wait_for_attention(handle)
        assert "TNT needs a track-and-trace code" in " ".join(stuck.attention.values())
        assert not [r for r in bol.state.requests("/retailer/shipments") if r["method"] == "POST"]

        await handle.execute_update(OrderWorkflow.ship, ShipRequest(track_and_trace="3SBOL0000042"))
        await wait_for(handle, OrderStatus.SHIPPED)
    shipments = await bol.get("/_sandbox/shipments")
    assert [(s["transporterCode"], s["trackAndTrace"]) for s in shipments] == [("TNT", "3SBOL0000042")]


async def test_no_label_is_bought_for_lines_the_buyer_asked_to_cancel(time_env, engines, bol, task_queue):
    engine = engines.build(task_queue, labels=LabelSource.MARKETPLACE)
    async with engine.worker(time_env.client):
        order = await bol.place_order([{**MUG, "quantity": 1}], latestDeliveryDays=1)
        handle = await _start(time_env.client, order, task_queue)
        await eventually(lambda: engine.inventory.stock("MUG-BLUE").reserved == 1)
        # The buyer cancels while the parcel is packed.
        item = order["orderItems"][0]["orderItemId"]
        await bol.post(f"/_sandbox/orders/{order['orderId']}/cancellation-requests", {"orderItemIds": [item]})
        await handle.execute_update(OrderWorkflow.pick, PickRequest())
        await wait_for(handle, OrderStatus.CANCELLED)
    assert bol.state.label_book.records() == []


async def test_a_label_left_unused_by_a_cancellation_is_said_in_the_timeline(time_env, engines, bol, task_queue):
    engine = engines.build(task_queue, labels=LabelSource.MARKETPLACE)
    async with engine.worker(time_env.client):
        order = await bol.place_order([{**MUG, "quantity": 1}], latestDeliveryDays=1)
        handle = await _start(time_env.client, order, task_queue)
        await eventually(lambda: engine.inventory.stock("MUG-BLUE").reserved == 1)
        # bol refuses the shipment after the label was bought; ops then cancel the order.
        bol.state.add_fault(path="/retailer/shipments", method="POST", kind="process_failure", times=1)
        await handle.execute_update(OrderWorkflow.pick, PickRequest())
        await wait_for_attention(handle)
        await handle.execute_update(OrderWorkflow.cancel, CancelRequest(reason=CancellationReason.OUT_OF_STOCK))
        done = await wait_for(handle, OrderStatus.CANCELLED)

    label = bol.state.label_book.records()[0]
    assert label["usedByShipment"] is False
    notes = [note for note in done.history if label["shippingLabelId"] in note]
    assert len(notes) == 1 and "not used" in notes[0] and "cannot cancel" in notes[0]
    stored = ShippingLabels(engine.inventory.db).get("bol", order["orderId"])
    assert stored is not None and stored.voided is not None and stored.voided in notes[0]


async def test_a_kaufland_order_ships_with_a_label_from_kauflands_label_service(
    time_env, engines, kaufland, task_queue
):
    engine = engines.build(task_queue, marketplace=Marketplace.KAUFLAND, labels=LabelSource.MARKETPLACE)
    market = KauflandMarket(kaufland)
    async with engine.worker(time_env.client):
        placed = await market.place([(KAUFLAND_MUG, 2)])
        handle = await start_order(time_env.client, market, task_queue, placed)
        await eventually(lambda: engine.inventory.stock("MUG-BLUE").reserved == 2)
        await handle.execute_update(OrderWorkflow.pick, PickRequest())
        shipped = await wait_for(handle, OrderStatus.SHIPPED)

    stored = ShippingLabels(engine.inventory.db).get("kaufland", placed.order_id)
    assert stored is not None and stored.transporter_code == "GLS" and (stored.pdf or b"").startswith(b"%PDF")
    assert await market.shipments() == [("GLS", stored.track_and_trace, {placed.line_ids[0]: 2})]
    assert shipped.shipments[0].transport.track_and_trace == stored.track_and_trace


async def test_each_parcel_of_a_partly_picked_order_gets_its_own_label(time_env, engines, bol, task_queue):
    engine = engines.build(task_queue, labels=LabelSource.MARKETPLACE)
    async with engine.worker(time_env.client):
        order = await bol.place_order([{**MUG, "quantity": 2}], latestDeliveryDays=1)
        handle = await _start(time_env.client, order, task_queue)
        await eventually(lambda: engine.inventory.stock("MUG-BLUE").reserved == 2)
        mug = order["orderItems"][0]["orderItemId"]
        await handle.execute_update(OrderWorkflow.pick, PickRequest(lines=[LineQuantity(line_id=mug, quantity=1)]))
        await eventually(lambda: len(bol.state.shipments()) == 1)
        await handle.execute_update(OrderWorkflow.pick, PickRequest())
        await wait_for(handle, OrderStatus.SHIPPED)

    labels = bol.state.label_book.records()
    assert len(labels) == 2 and all(label["usedByShipment"] for label in labels)
    assert sorted(s["trackAndTrace"] for s in bol.state.shipments()) == sorted(lb["trackAndTrace"] for lb in labels)
