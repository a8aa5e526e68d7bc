"""Tracking added or corrected after shipping, from the `tracking` update
(`ordertide order tracking ID CODE`): the marketplace gets it, the order
shows it and says so in its timeline; before shipping it is refused."""

import pytest
from temporalio.client import WorkflowUpdateFailedError

from domain import names
from domain.order.messages import PickRequest, TrackingRequest
from domain.order.status import OrderStatus
from tests.workflows.helpers import keep_history, view, wait_for
from tests.workflows.markets import MUG, BolMarket, Market, start_order
from workflows.order import OrderWorkflow


async def marketplace_tracking(market: Market) -> set[str]:
    """Every tracking code the marketplace holds for the seller's parcels."""
    if isinstance(market, BolMarket):
        return {s["trackAndTrace"] for s in await market.sandbox.get("/_sandbox/shipments")}
    sent = {s["tracking_numbers"] for s in await market.sandbox.get("/_sandbox/sends")}
    return sent | {s["tracking_number"] for s in await market.sandbox.get("/_sandbox/shipments")}


async def test_tracking_corrected_after_shipping_reaches_the_marketplace_and_the_order(
    time_env, engines, market, task_queue
):
    engine = engines.build(task_queue, marketplace=market.marketplace)
    async with engine.worker(time_env.client):
        placed = await market.place([(MUG, 1)])
        handle = await start_order(time_env.client, market, task_queue, placed)
        await wait_for(handle, OrderStatus.AWAITING_PICK)
        with pytest.raises(WorkflowUpdateFailedError):  # nothing shipped yet
            await handle.execute_update(
                names.UPDATE_TRACKING, TrackingRequest(track_and_trace="00340434161094000002"), result_type=str
            )

        await handle.execute_update(OrderWorkflow.pick, PickRequest(track_and_trace="00340434161094000001"))
        await wait_for(handle, OrderStatus.SHIPPED)
        answer = await handle.execute_update(
            names.UPDATE_TRACKING, TrackingRequest(track_and_trace="00340434161094000002"), result_type=str
        )
        shown = await view(handle)
        if isinstance(market, BolMarket):  # the replay suite's histories are bol's
            await keep_history(handle, "order-tracking-corrected-after-shipping")

    assert "00340434161094000002" in answer
    assert "00340434161094000002" in await marketplace_tracking(market)
    assert shown.shipments[0].transport.track_and_trace == "00340434161094000002"
    assert any("was 00340434161094000001" in note for note in shown.history)
    assert shown.status == OrderStatus.SHIPPED and not shown.needs_attention
