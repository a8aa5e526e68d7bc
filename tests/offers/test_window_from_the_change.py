"""The coalescing window runs from the change, not from the round's start
(issue 12): the signal, the workflow task and the activity's dispatch are
part of the window instead of coming before it. An offer updated in the
last window waits a whole window from when the channel had that update (bol:
its answer, before the process is done): at most one update per offer per
window."""

import asyncio
from datetime import UTC, datetime, timedelta

from temporalio.api.enums.v1 import EventType

from domain import names
from domain.ids import offer_sync_workflow_id
from domain.offers.sync import OffersChanged, OfferSyncInput, SyncOffersInput, SyncOffersResult, window_left
from tests.offers.support import live, stock_updates
from tests.offers.test_offer_sync import MUG_EAN
from tests.support import eventually

WINDOW = timedelta(milliseconds=250)
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def _request(window_from: datetime | None) -> SyncOffersInput:
    return SyncOffersInput(channel="bol", skus=["MUG-BLUE"], window=WINDOW, window_from=window_from)


def test_the_activity_waits_what_is_left_of_the_window_and_never_longer():
    assert window_left(_request(None), NOW) == WINDOW
    assert window_left(_request(NOW - timedelta(milliseconds=100)), NOW) == timedelta(milliseconds=150)
    assert window_left(_request(NOW - timedelta(seconds=5)), NOW) == timedelta(0)
    # A sender's clock ahead of ours cannot stretch the window.
    assert window_left(_request(NOW + timedelta(seconds=5)), NOW) == WINDOW


async def _rounds(client, workflow_id: str) -> list[tuple[SyncOffersInput, timedelta, SyncOffersResult]]:
    """Each round's input, how long its activity ran (server's clock), its result."""
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    rounds, started = [], {}
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attributes = event.activity_task_scheduled_event_attributes
            if attributes.activity_type.name == "sync_offers":
                [request] = await client.data_converter.decode(attributes.input.payloads, [SyncOffersInput])
                started[event.event_id] = (request, event.event_time.ToDatetime(tzinfo=UTC))
        elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
            scheduled = event.activity_task_completed_event_attributes.scheduled_event_id
            if scheduled in started:
                request, at = started[scheduled]
                payloads = event.activity_task_completed_event_attributes.result.payloads
                [result] = await client.data_converter.decode(payloads, [SyncOffersResult])
                rounds.append((request, event.event_time.ToDatetime(tzinfo=UTC) - at, result))
    return rounds


async def _count_rounds(client, workflow_id: str, count: int) -> list | None:
    found = await _rounds(client, workflow_id)
    return found if len(found) == count else None


async def test_a_round_windows_from_its_first_change_or_the_offers_last_update(
    dev_env, two_channels, tmp_path, task_queue
):
    # Rounds that end once they sent what they were given: each one is in the history.
    engine = two_channels.build(tmp_path, task_queue, offer_sync_listen=timedelta(0))
    client = dev_env.client
    box = two_channels.bol
    workflow_id = offer_sync_workflow_id("bol")
    window = timedelta(seconds=3)
    await client.start_workflow(
        "OfferSyncWorkflow", OfferSyncInput(channel="bol", window=window), id=workflow_id, task_queue=task_queue
    )
    handle = client.get_workflow_handle(workflow_id)
    async with engine.worker(client):
        # A change that does not say when it happened waits the whole window.
        await handle.signal(names.SIGNAL_OFFERS_CHANGED, OffersChanged(skus=["MUG-BLUE"]))
        await eventually(lambda: any(o["ean"] == MUG_EAN for o in box.state.offers()), timeout=30)
        [(first, first_took, _)] = await eventually(lambda: _rounds(client, workflow_id))
        assert first.window_from is None and first_took >= window

        # A sale 10 s ago, told only now (a slow signal), after the first
        # round is a window old: nothing left to wait for.
        await asyncio.sleep(window.total_seconds() + 0.5)
        await asyncio.to_thread(engine.inventory.set_stock, "MUG-BLUE", 7)
        long_ago = datetime.now(UTC) - timedelta(seconds=10)
        await handle.signal(names.SIGNAL_OFFERS_CHANGED, OffersChanged(skus=["MUG-BLUE"], changed_at=long_ago))
        await eventually(lambda: live(box, MUG_EAN)["stock"]["amount"] == 7, timeout=30)
        await eventually(lambda: _count_rounds(client, workflow_id, 2))

        # At once another one, as old: the offer was updated a moment ago,
        # so this update waits a window from when bol had that update.
        await asyncio.to_thread(engine.inventory.set_stock, "MUG-BLUE", 6)
        await handle.signal(names.SIGNAL_OFFERS_CHANGED, OffersChanged(skus=["MUG-BLUE"], changed_at=long_ago))
        await eventually(lambda: live(box, MUG_EAN)["stock"]["amount"] == 6, timeout=30)
        rounds = await eventually(lambda: _count_rounds(client, workflow_id, 3))
    await handle.terminate("test over")
    [_, (second, second_took, sent), (third, third_took, _)] = rounds
    assert second.window_from == long_ago
    assert second_took < window
    # From bol's answer to the second round's stock update: it had the update then.
    [put, _] = [datetime.fromisoformat(r["at"]) for r in stock_updates(box)]
    assert third.window_from == sent.updated_at["MUG-BLUE"] >= put
    assert third_took >= window / 2
