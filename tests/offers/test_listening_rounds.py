"""A stream of sales costs no signal per sale: a round listens for the
channel's further changes and sends them window by window, and when it
stops listening, no change falls between it and the next round."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError
from temporalio.api.enums.v1 import EventType

from activities.offer_rounds import ListeningRound
from activities.store import Database, OfferChanges
from domain.ids import offer_sync_workflow_id
from domain.offers.sync import SyncOffersInput, SyncOffersResult
from tests.offers.support import live, live_stock_is
from tests.offers.test_offer_sync import LAMP_EAN, MUG_EAN, publish_catalog
from tests.support import bol_channel, eventually
from tests.workflows.helpers import keep_history

SKUS = {"MUG-BLUE": MUG_EAN, "LAMP-DESK": LAMP_EAN}


async def _history_counts(client, channel: str) -> tuple[int, int]:
    """Signals the channel's offer sync received, and sync activities it scheduled, over all its runs."""
    signals = activities = 0
    async for run in client.list_workflows(f"WorkflowId = '{offer_sync_workflow_id(channel)}'"):
        history = await client.get_workflow_handle(run.id, run_id=run.run_id).fetch_history()
        for e in history.events:
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
                signals += 1
            elif e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                activities += e.activity_task_scheduled_event_attributes.activity_type.name == "sync_offers"
    return signals, activities


async def _sell(engine, client, sku: str, stock: int) -> None:
    await asyncio.to_thread(engine.inventory.set_stock, sku, stock)
    await engine.notifier(client).changed([sku])


async def test_twenty_sales_in_a_row_cost_no_signal_and_no_round_each(dev_env, two_channels, tmp_path, task_queue):
    engine = two_channels.build(tmp_path, task_queue)
    client = dev_env.client
    boxes = (two_channels.bol, two_channels.bol2)
    async with engine.worker(client):
        await publish_catalog(engine, client, boxes)
        before = {channel: await _history_counts(client, channel) for channel in ("bol", "bol2")}
        for n in range(20):
            await _sell(engine, client, "MUG-BLUE", 40 - n)
            await asyncio.sleep(0.15)  # apart: each sale outside the last one's window
        for box in boxes:
            await eventually(live_stock_is(box, MUG_EAN, 21))
        after = {channel: await _history_counts(client, channel) for channel in ("bol", "bol2")}
    for channel in ("bol", "bol2"):
        signals = after[channel][0] - before[channel][0]
        rounds = after[channel][1] - before[channel][1]
        # The round that published the catalogue was still listening: the
        # sales reached it through the store (20 each, one by one, before).
        assert (signals, rounds) == (0, 0), channel
    # Still one update per window, not one per offer change missed.
    assert len([r for r in two_channels.bol2.state.requests("/retailer/offers") if r["method"] == "PUT"]) >= 10


async def test_no_sale_is_lost_between_a_round_that_stops_listening_and_the_next(
    dev_env, two_channels, tmp_path, task_queue
):
    # Rounds that listen a second: the stream below crosses a handoff several times.
    engine = two_channels.build(tmp_path, task_queue, offer_sync_listen=timedelta(seconds=1))
    client = dev_env.client
    boxes = (two_channels.bol, two_channels.bol2)
    async with engine.worker(client):
        await publish_catalog(engine, client, boxes)
        stock = dict.fromkeys(SKUS, 50)
        for n in range(80):
            sku = list(SKUS)[n % 2]
            stock[sku] -= 1
            await _sell(engine, client, sku, stock[sku])
            await asyncio.sleep(0.05)
        for box in boxes:
            for sku, ean in SKUS.items():
                await eventually(live_stock_is(box, ean, stock[sku]), timeout=30)
        signals, rounds = await _history_counts(client, "bol")
        await keep_history(client.get_workflow_handle(offer_sync_workflow_id("bol")), "offer-sync-listening-rounds")
    # Several rounds took part, and some sales went by signal in between.
    assert rounds >= 3 and signals >= 2
    assert live(two_channels.bol, MUG_EAN)["stock"]["amount"] == 10


async def test_a_sale_that_comes_while_its_offer_is_being_sent_is_sent_after(tmp_path):
    """A change that arrives during the send of its offer is sent after it,
    even once the store has emptied and begun its ids again."""
    db = Database(f"sqlite:///{tmp_path / 'store.db'}")
    db.create_schema()
    changes = OfferChanges(db)
    sent: list[list[str]] = []

    async def sale() -> None:
        await db.run(changes.record, {"bol": ["MUG-BLUE"]}, datetime.now(UTC))

    async def send(skus: list[str], result: SyncOffersResult) -> None:
        sent.append(sorted(skus))
        if len(sent) == 1:
            # A sale after this send, once its changes are gone from the store.
            asyncio.get_running_loop().call_later(0.1, lambda: asyncio.ensure_future(sale()))
        elif len(sent) == 2:
            await sale()  # a sale of the mug while the mug's update is on its way

    await db.run(changes.record, {"bol": ["MUG-BLUE", "LAMP-DESK"]}, datetime.now(UTC))
    listening = ListeningRound(
        request=SyncOffersInput(channel="bol", skus=[], window=timedelta(milliseconds=50)),
        changes=changes,
        listen_for=timedelta(milliseconds=800),
        send=send,
        follow=None,
        follow_gather=timedelta(seconds=1),
    )
    result = await listening.run()
    db.dispose()
    assert sent == [["LAMP-DESK", "MUG-BLUE"], ["MUG-BLUE"], ["MUG-BLUE"]]
    assert result.rounds == 3


def test_a_listen_longer_than_a_round_may_run_unheard_is_refused_naming_the_field():
    with pytest.raises(ValidationError) as refused:
        bol_channel("http://bol.test", offer_sync_listen=timedelta(seconds=60))
    assert "offer_sync_listen" in str(refused.value) and "45 seconds" in str(refused.value)


async def test_a_round_stops_listening_when_a_catalogue_change_takes_the_channel_back(tmp_path):
    """A change too large for the store goes by signal to the workflow, which
    would otherwise wait for the listening round to end."""
    db = Database(f"sqlite:///{tmp_path / 'store.db'}")
    db.create_schema()
    changes = OfferChanges(db)

    async def send(skus: list[str], result: SyncOffersResult) -> None:
        pass

    listening = ListeningRound(
        request=SyncOffersInput(channel="bol", skus=["MUG-BLUE"], window=timedelta(milliseconds=50)),
        changes=changes,
        listen_for=timedelta(seconds=20),
        send=send,
        follow=None,
        follow_gather=timedelta(seconds=1),
    )
    round_ = asyncio.create_task(listening.run())
    await asyncio.sleep(0.5)
    assert await db.run(changes.record, {"bol": ["LAMP-DESK"]}, datetime.now(UTC)) == {"bol"}
    await db.run(changes.hand_back, ["bol"])
    result = await asyncio.wait_for(round_, timeout=5)
    db.dispose()
    assert result.rounds == 2  # the mug, then the lamp it had taken before


async def test_a_round_that_does_not_listen_ends_under_a_stream_of_sales(tmp_path):
    """A round before continue-as-new, or behind a backlog, takes what was
    recorded once and ends; the sales that keep coming wait for the next."""
    db = Database(f"sqlite:///{tmp_path / 'store.db'}")
    db.create_schema()
    changes = OfferChanges(db)
    sent: list[list[str]] = []

    async def send(skus: list[str], result: SyncOffersResult) -> None:
        sent.append(skus)
        await db.run(changes.record, {"bol": [f"SKU-{len(sent)}"]}, datetime.now(UTC))  # another sale meanwhile

    await db.run(changes.record, {"bol": ["MUG-BLUE"]}, datetime.now(UTC))
    not_listening = ListeningRound(
        request=SyncOffersInput(channel="bol", skus=["LAMP-DESK"], window=timedelta(milliseconds=20)),
        changes=changes,
        listen_for=timedelta(0),
        send=send,
        follow=None,
        follow_gather=timedelta(seconds=1),
    )
    await asyncio.wait_for(not_listening.run(), timeout=5)
    left = await db.run(changes.waiting, "bol", 100)
    db.dispose()
    assert sorted(sku for skus in sent for sku in skus) == ["LAMP-DESK", "MUG-BLUE"]
    assert list(left.first_changed) == [f"SKU-{n}" for n in range(1, len(sent) + 1)]
