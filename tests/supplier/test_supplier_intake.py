"""Exactly once across transports, and nothing lost to bad input: the same
portal order pushed twice and then polled is one workflow; a push that
arrives before the API shows its order is retried until it does; a
malformed or forged push is refused with the reason, named on the
channel's intake (where ops look), and the next good order still flows."""

import json
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from temporalio.client import WorkflowExecutionStatus
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError, RPCStatusCode

from activities.store.tables import SupplierInboxRow
from domain.config import SupplierApiSettings
from domain.ids import intake_workflow_id, order_workflow_id
from domain.intake import IntakeInput
from domain.order.status import OrderStatus, Step
from sandbox.supplier.pushes import signed_headers
from tests.supplier.support import MUG, SECRET, Portal, SupplierStack, channel_name, supplier_channel
from tests.support import eventually
from tests.workflows.helpers import keep_history, wait_for, wait_for_attention
from workflows.intake import ChannelIntakeWorkflow


@pytest.fixture
def portal() -> Portal:
    return Portal.start(push_retry_seconds=0.05)


@pytest.fixture
async def stacks(tmp_path, dev_env, task_queue) -> AsyncIterator[list[SupplierStack]]:
    built: list[SupplierStack] = []
    yield built
    for stack in built:
        await stack.aclose()


async def runs_of(client, workflow_id: str) -> int:
    return len([wf async for wf in client.list_workflows(f"WorkflowId = '{workflow_id}'")])


async def test_the_same_order_pushed_twice_then_polled_is_one_workflow(dev_env, portal, stacks, tmp_path, task_queue):
    channel = channel_name("api")
    stack = SupplierStack.build(tmp_path, dev_env.client, task_queue, portal, {channel: supplier_channel(webhook=True)})
    stacks.append(stack)
    await portal.call("PUT", "/_sandbox/webhooks", {"urls": [f"http://hooks/webhooks/supplier/{channel}"]})
    number = (await portal.place([MUG], push=False))["order_number"]
    async with stack.engine.worker(dev_env.client):
        pushed = await portal.call("POST", "/_sandbox/pushes", {"order_number": number, "repeat": 2})
        assert pushed.json()["answers"] == [[202], [202]]
        polled = await stack.poll(channel)  # the API lists it too
        assert polled.orders_started == 0
        handle = dev_env.client.get_workflow_handle(order_workflow_id(channel, number))
        await wait_for(handle, OrderStatus.AWAITING_PICK)
        # The same order number as another transport writes it: still that order.
        lower = await portal.call("POST", "/_sandbox/pushes", {"raw": _push(number.lower()), "attempts": 1})
        assert lower.json()["answers"] == [[202]]
    assert await runs_of(dev_env.client, handle.id) == 1
    assert await runs_of(dev_env.client, order_workflow_id(channel, number.lower())) == 0
    with stack.engine.db.session() as s:
        row = s.get(SupplierInboxRow, (channel, number))
        assert row is not None and row.via == "webhook" and row.deliveries == 4 and row.read_at is not None


async def test_a_push_before_the_api_shows_the_order_is_retried_not_lost(dev_env, portal, stacks, tmp_path, task_queue):
    channel = channel_name("api")
    stack = SupplierStack.build(tmp_path, dev_env.client, task_queue, portal, {channel: supplier_channel(webhook=True)})
    stacks.append(stack)
    await portal.call("PUT", "/_sandbox/webhooks", {"urls": [f"http://hooks/webhooks/supplier/{channel}"]})
    # The push names only the number, and the API shows the order half a second later.
    placed = await portal.place([MUG], push_payload="number", visible_after_seconds=0.5)
    assert placed["pushes"] == [[202]]
    async with stack.engine.worker(dev_env.client):
        handle = dev_env.client.get_workflow_handle(order_workflow_id(channel, placed["order_number"]))
        accepted = await wait_for(handle, OrderStatus.AWAITING_PICK)
    assert [line.sku for line in accepted.lines] == ["MUG-BLUE"] and not accepted.needs_attention


async def test_bad_pushes_are_refused_named_to_ops_and_the_next_good_one_flows(
    dev_env, portal, stacks, tmp_path, task_queue
):
    channel = channel_name("webhook")
    config = supplier_channel(intake="webhook", poll_interval=timedelta(seconds=1))
    stack = SupplierStack.build(tmp_path, dev_env.client, task_queue, portal, {channel: config})
    stacks.append(stack)
    url = f"http://hooks/webhooks/supplier/{channel}"
    await portal.call("PUT", "/_sandbox/webhooks", {"urls": [url]})
    intake = await dev_env.client.start_workflow(
        ChannelIntakeWorkflow.run,
        IntakeInput(channel=channel, poll_interval=timedelta(seconds=1)),
        id=intake_workflow_id(channel),
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )
    try:
        async with stack.engine.worker(dev_env.client):
            not_json = await portal.call("POST", "/_sandbox/pushes", {"raw": "{not json", "attempts": 1})
            no_items = json.dumps({"order": {"order_number": "PO-BAD1", "items": [], "delivery_address": {}}})
            missing = await stack.receiver.post(
                f"/webhooks/supplier/{channel}", content=no_items, headers=_signed(no_items)
            )
            forged = await stack.receiver.post(
                f"/webhooks/supplier/{channel}",
                content=no_items,
                headers={**_signed(no_items), "X-Portal-Signature": "sha256=" + "0" * 64},
            )
            stale = await portal.call(
                "POST", "/_sandbox/pushes", {"raw": _push("PO-STALE"), "timestamp_offset_seconds": -600, "attempts": 1}
            )
            assert not_json.json()["answers"] == [[400]]
            assert missing.status_code == 400
            assert "order.items: List should have at least 1 item" in missing.json()["error"]
            assert "order.delivery_address.name: Field required" in missing.json()["error"]
            assert forged.status_code == 401 and "does not match" in forged.json()["error"]
            assert stale.json()["answers"] == [[401]]
            # Ops see the signed-but-unreadable pushes on the channel's intake.
            state = await eventually(lambda: _reported(intake, "PO-BAD1"), timeout=10)
            assert any("order.items" in item.reason for item in state.unreadable)
            # An unknown SKU: taken, and the order says what is missing.
            unknown = await portal.place([{"sku": "NOPE-1", "quantity": 1, "price": "3.00"}])
            good = await portal.place([MUG])
            assert unknown["pushes"] == [[202]] and good["pushes"] == [[202]]
            waiting = dev_env.client.get_workflow_handle(order_workflow_id(channel, unknown["order_number"]))
            flagged = await wait_for_attention(waiting)
            assert flagged.attention[Step.ACCEPT] == "SKU NOPE-1 is not in the catalog: add the product, then resume"
            flowing = dev_env.client.get_workflow_handle(order_workflow_id(channel, good["order_number"]))
            await wait_for(flowing, OrderStatus.AWAITING_PICK)
            await keep_history(intake, "intake-supplier-push-refused")
    finally:
        await intake.terminate("test over")
    assert (await intake.describe()).status == WorkflowExecutionStatus.TERMINATED
    for number in ("PO-BAD1", "PO-STALE"):
        assert await runs_of(dev_env.client, order_workflow_id(channel, number)) == 0


async def _reported(handle, number: str):
    state = await handle.query(ChannelIntakeWorkflow.state)
    return state if any(item.item_id == number for item in state.unreadable) else None


def _push(number: str) -> str:
    return json.dumps(
        {
            "event": "order.placed",
            "order": {
                "order_number": number,
                "items": [MUG],
                "delivery_address": {
                    "name": "Ada Jansen",
                    "street": "Kerkstraat",
                    "postcode": "1017 GC",
                    "city": "Amsterdam",
                    "country": "NL",
                },
            },
        }
    )


def _signed(body: str) -> dict[str, str]:
    return signed_headers(SECRET, body.encode(), int(time.time()))


async def test_a_push_temporal_could_not_take_is_answered_503_and_the_next_poll_hands_it_over(
    dev_env, portal, stacks, tmp_path, task_queue, monkeypatch
):
    channel = channel_name("webhook")
    stack = SupplierStack.build(
        tmp_path,
        dev_env.client,
        task_queue,
        portal,
        {channel: supplier_channel(intake="webhook", api=SupplierApiSettings())},
    )
    stacks.append(stack)
    await portal.call("PUT", "/_sandbox/webhooks", {"urls": [f"http://hooks/webhooks/supplier/{channel}"]})

    async def temporal_down(*_args) -> bool:
        raise RPCError("unavailable", RPCStatusCode.UNAVAILABLE, b"")

    with monkeypatch.context() as patched:
        patched.setattr(stack.intake, "dispatch_order", temporal_down)
        placed = await portal.place([MUG])
    number = placed["order_number"]
    assert placed["pushes"] == [[503, 503, 503, 503, 503]]  # the portal tried again, then gave up
    polled = await stack.poll(channel)  # the order was saved: the intake hands it over
    assert polled.orders_started == 1
    handle = dev_env.client.get_workflow_handle(order_workflow_id(channel, number))
    assert (await handle.describe()).workflow_type == "OrderWorkflow"
    await handle.terminate("test over")
