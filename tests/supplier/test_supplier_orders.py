"""Supplier portal orders end to end on the real dev server: placed on the
portal sandbox, delivered by API poll or signed webhook, run through
OrderWorkflow, shipped or cancelled, and the portal records the status
update with its note (or ops get the manual step, and confirm it)."""

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError

from activities.store import InventoryStore
from domain import names
from domain.config import SupplierApiSettings
from domain.ids import offer_sync_workflow_id, order_workflow_id
from domain.order.messages import CancelRequest, PickRequest, ResumeRequest
from domain.order.status import OrderStatus, Step
from domain.reasons import CancellationReason
from starter.stuck_orders import stuck_orders
from tests.cli.test_cli import cli_env, ordertide
from tests.supplier.support import LAMP, MUG, Portal, SupplierStack, channel_name, supplier_channel
from tests.support import eventually
from tests.workflows.fast.support import current_details
from tests.workflows.helpers import keep_history, view, wait_for, wait_for_attention


@pytest.fixture
def portal() -> Portal:
    return Portal.start(push_retry_seconds=0.05)


@pytest.fixture
async def stacks(tmp_path, dev_env, task_queue) -> AsyncIterator[list[SupplierStack]]:
    built: list[SupplierStack] = []
    yield built
    for stack in built:
        await stack.aclose()


async def test_an_api_order_ships_and_the_portal_records_the_tracking(dev_env, portal, stacks, tmp_path, task_queue):
    channel = channel_name("api")
    stack = SupplierStack.build(tmp_path, dev_env.client, task_queue, portal, {channel: supplier_channel()})
    stacks.append(stack)
    placed = await portal.place([MUG, {**LAMP, "quantity": 2}], push=False)
    number = placed["order_number"]
    async with stack.engine.worker(dev_env.client):
        first = await stack.poll(channel)
        assert first.orders_started == 1
        handle = dev_env.client.get_workflow_handle(order_workflow_id(channel, number))
        accepted = await wait_for(handle, OrderStatus.AWAITING_PICK)
        # The SKU-only line found its product and reserved stock.
        assert [(line.sku, line.reserved) for line in accepted.lines] == [("MUG-BLUE", True), ("LAMP-DESK", True)]
        # The next poll's window overlaps this one: the same order, no second start.
        again = await stack.poll(channel, first.cursor)
        assert again.orders_started == 0
        await handle.execute_update(names.UPDATE_PICK, PickRequest(track_and_trace="3SSUP0001"))
        shipped = await eventually(lambda: _last_update(portal, number), timeout=20)
    assert shipped["status"] == "shipped" and shipped["by"] == "api"
    assert shipped["tracking"] == "3SSUP0001" and "tracking 3SSUP0001" in shipped["note"]
    assert (await portal.order(number))["status"] == "shipped"
    runs = [wf async for wf in dev_env.client.list_workflows(f"WorkflowId = '{handle.id}'")]
    assert len(runs) == 1


async def test_a_cancelled_line_is_cancelled_on_the_portal_with_the_reason_in_words(
    dev_env, portal, stacks, tmp_path, task_queue
):
    channel = channel_name("api")
    stack = SupplierStack.build(tmp_path, dev_env.client, task_queue, portal, {channel: supplier_channel()})
    stacks.append(stack)
    number = (await portal.place([MUG, LAMP], push=False))["order_number"]
    async with stack.engine.worker(dev_env.client):
        await stack.poll(channel)
        handle = dev_env.client.get_workflow_handle(order_workflow_id(channel, number))
        await wait_for(handle, OrderStatus.AWAITING_PICK)
        await handle.execute_update(
            names.UPDATE_CANCEL, CancelRequest(line_ids=["2"], reason=CancellationReason.OUT_OF_STOCK)
        )
        cancelled = await eventually(lambda: _last_update(portal, number), timeout=20)
    assert cancelled["status"] == "cancelled" and cancelled["lines"] == [{"line": "2", "quantity": 1}]
    assert cancelled["note"] == "Cancelled 1 x line 2 (LAMP-DESK): the item is out of stock."


async def test_a_portal_updated_by_hand_gets_a_manual_step_the_order_waits_for(
    dev_env, portal, stacks, tmp_path, task_queue
):
    channel = channel_name("webhook")
    config = supplier_channel(
        intake="webhook", status_updates="manual", api=SupplierApiSettings(), portal_name="Dropmart"
    )
    stack = SupplierStack.build(tmp_path, dev_env.client, task_queue, portal, {channel: config})
    stacks.append(stack)
    await portal.call("PUT", "/_sandbox/webhooks", {"urls": [f"http://hooks/webhooks/supplier/{channel}"]})
    placed = await portal.place([MUG])
    assert placed["pushes"] == [[202]]
    number = placed["order_number"]
    inventory = InventoryStore(stack.engine.db)
    async with stack.engine.worker(dev_env.client):
        handle = dev_env.client.get_workflow_handle(order_workflow_id(channel, number))
        await wait_for(handle, OrderStatus.AWAITING_PICK)
        assert inventory.stock("MUG-BLUE").reserved == 1
        await handle.execute_update(names.UPDATE_CANCEL, CancelRequest(reason=CancellationReason.REQUESTED_BY_CUSTOMER))
        flagged = await wait_for_attention(handle)
        step = flagged.attention[Step.PORTAL_CANCEL]
        note = "Cancelled 1 x line 1 (MUG-BLUE): the customer asked to cancel."
        assert f"log in to Dropmart, go to ORDER HISTORY, edit order {number}" in step
        assert f'change the status to cancelled, add the note "{note}" and click update' in step
        assert f"ordertide order confirm {channel}:{number} --step portal-cancel" in step
        # What the Web UI shows as the order's current details.
        assert f"⚠ manual step (portal-cancel): {step}" in await current_details(handle)
        stuck = [o for o in await stuck_orders(dev_env.client) if o.workflow_id == handle.id]
        assert stuck and any("ORDER HISTORY" in reason for reason in stuck[0].reasons)
        assert (
            stuck[0].resume_with
            == f"do the manual step, then: ordertide order confirm {channel}:{number} --step portal-cancel"
        )
        # Resume cannot skip it; the order does not end before ops confirm.
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(names.UPDATE_RESUME, ResumeRequest())
        assert "waits for a manual step (portal-cancel)" in str(refused.value.cause)
        assert (await view(handle)).status == OrderStatus.AWAITING_PICK
        assert inventory.stock("MUG-BLUE").reserved == 0  # the stock is free at once
        # Ops do it in the portal, then confirm.
        done = await portal.call(
            "POST", f"/_sandbox/orders/{number}/manual-status", {"status": "cancelled", "note": note}
        )
        assert done.status_code == 200
        # The command the instructions end with, as written.
        command = step.rsplit("Then confirm: ordertide ", 1)[1].split()
        code, said, _ = await ordertide(*command, env=cli_env(dev_env, tmp_path))
        assert code == 0 and "confirmed portal-cancel for line 1" in said
        ended = await wait_for(handle, OrderStatus.CANCELLED)
        await keep_history(handle, "order-supplier-portal-cancel-confirmed")
    assert not ended.needs_attention
    assert (await portal.order(number))["status"] == "cancelled"


async def _last_update(portal: Portal, number: str) -> dict | None:
    history = (await portal.order(number))["history"]
    return history[-1] if history else None


async def test_a_portal_order_reserves_stock_and_the_portals_stock_feed_follows(
    dev_env, portal, stacks, tmp_path, task_queue
):
    channel = channel_name("api")
    config = supplier_channel(stock_feed=True, offer_sync=True, offer_sync_window=timedelta(milliseconds=50))
    stack = SupplierStack.build(tmp_path, dev_env.client, task_queue, portal, {channel: config})
    stacks.append(stack)
    async with stack.engine.worker(dev_env.client):
        await stack.engine.notifier(dev_env.client).changed(["MUG-BLUE", "LAMP-DESK"])
        await eventually(lambda: _fed(portal, "MUG-BLUE", 50), timeout=20)
        number = (await portal.place([{**MUG, "quantity": 2}], push=False))["order_number"]
        await stack.poll(channel)
        handle = dev_env.client.get_workflow_handle(order_workflow_id(channel, number))
        await wait_for(handle, OrderStatus.AWAITING_PICK)
        fed = await eventually(lambda: _fed(portal, "MUG-BLUE", 48), timeout=20)
    assert fed["price"] == "12.95"
    assert portal.state.stock["LAMP-DESK"]["stock"] == 50
    with contextlib.suppress(RPCError):
        await dev_env.client.get_workflow_handle(offer_sync_workflow_id(channel)).terminate("test over")


def _fed(portal: Portal, sku: str, stock: int) -> dict | None:
    fed = portal.state.stock.get(sku)
    return fed if fed and fed["stock"] == stock else None
