"""Timers are billable actions: the offer sync's rounds, however many wait for
a sale, share one timer until the nightly reconciliation, and that
reconciliation still starts when it is due."""

import asyncio
from datetime import UTC, datetime, timedelta

from temporalio.api.enums.v1 import EventType

from domain.ids import offer_reconcile_workflow_id, offer_sync_workflow_id
from domain.offers.sync import OFFER_SYNC_CODE_VERSION, OfferSyncInput
from tests.offers.support import live_stock_is
from tests.offers.test_offer_sync import MUG_EAN, publish_catalog
from tests.support import eventually
from workflows.offer_sync import OfferSyncWorkflow

UNTIL_RECONCILIATION = timedelta(seconds=10)


async def test_rounds_waiting_for_sales_share_one_timer_and_the_reconciliation_still_comes_when_due(
    dev_env, two_channels, tmp_path, task_queue
):
    engine = two_channels.build(tmp_path, task_queue)
    client = dev_env.client
    box = two_channels.bol
    due = datetime.now(UTC) + UNTIL_RECONCILIATION
    handle = await client.start_workflow(
        OfferSyncWorkflow.run,
        OfferSyncInput(
            channel="bol",
            window=timedelta(milliseconds=100),
            next_reconcile_at=due,
            code_version=OFFER_SYNC_CODE_VERSION,
        ),
        id=offer_sync_workflow_id("bol"),
        task_queue=task_queue,
    )
    async with engine.worker(client):
        await publish_catalog(engine, client, [box])
        for stock in (40, 39, 38):
            await asyncio.to_thread(engine.inventory.set_stock, "MUG-BLUE", stock)
            await engine.notifier(client).changed(["MUG-BLUE"])
            await eventually(live_stock_is(box, MUG_EAN, stock))
        before_due = await handle.query(OfferSyncWorkflow.state)
        state = await eventually(lambda: _reconciled(handle), timeout=UNTIL_RECONCILIATION.total_seconds() + 20)
        # The timer until the next night's starts once the round that listened
        # until the reconciliation was due has ended: after the reconciliation
        # may have reported.
        timers = await eventually(lambda: _timers_started(handle, at_least=2))
    assert before_due.last_reconcile is None
    # The catalogue and three sales: sent by rounds that listened until the reconciliation was due.
    assert state.last_reconcile is not None and state.rounds >= 4
    reconciliation = await client.get_workflow_handle(offer_reconcile_workflow_id("bol")).describe()
    assert reconciliation.start_time >= due - timedelta(milliseconds=50)  # the server's clock, not ours
    # One until the reconciliation that was due, one until the next night's.
    assert len(timers) == 2, [e.timer_started_event_attributes for e in timers]


async def _reconciled(handle):
    state = await handle.query(OfferSyncWorkflow.state)
    return state if state.last_reconcile is not None else None


async def _timers_started(handle, at_least: int):
    history = await handle.fetch_history()
    timers = [e for e in history.events if e.event_type == EventType.EVENT_TYPE_TIMER_STARTED]
    return timers if len(timers) >= at_least else None
