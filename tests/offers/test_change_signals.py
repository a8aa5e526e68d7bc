"""Stock changes reported at the same time (a burst of accepted orders)
reach a channel's offer sync in a few signals, not one each, and none is lost."""

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy.exc import OperationalError
from temporalio.api.enums.v1 import EventType

from activities.notify import StockNotifier
from activities.store import Database, OfferChanges
from domain.ids import offer_sync_workflow_id


async def test_a_hundred_changes_at_once_share_a_few_signals_and_every_sku_arrives(dev_env, task_queue):
    channel = f"burst-{uuid.uuid4().hex[:8]}"
    notifier = StockNotifier(dev_env.client, task_queue, {channel: timedelta(milliseconds=250)})
    skus = [f"SKU-{n:03d}" for n in range(100)]
    # No worker: the signals stay in the offer sync's history, to be read.
    await asyncio.gather(*(notifier.changed([sku]) for sku in skus))
    history = await dev_env.client.get_workflow_handle(offer_sync_workflow_id(channel)).fetch_history()
    signalled = [
        e.workflow_execution_signaled_event_attributes
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
    ]
    assert 1 <= len(signalled) <= 3
    converter = dev_env.client.data_converter
    arrived = set()
    for signal in signalled:
        (change,) = await converter.decode(signal.input.payloads)
        arrived |= set(change["skus"])
    assert arrived == set(skus)
    await dev_env.client.get_workflow_handle(offer_sync_workflow_id(channel)).terminate()


class _StoreDown(OfferChanges):
    def record(self, changed, at):
        raise OperationalError("INSERT INTO offer_change", {}, Exception("database is locked"))


async def test_a_change_the_store_cannot_record_goes_by_signal(dev_env, task_queue, tmp_path):
    channel = f"down-{uuid.uuid4().hex[:8]}"
    db = Database(f"sqlite:///{tmp_path / 'store.db'}")
    notifier = StockNotifier(
        dev_env.client,
        task_queue,
        {channel: timedelta(milliseconds=250)},
        listens={channel: timedelta(seconds=30)},
        changes=_StoreDown(db),
    )
    await notifier.changed(["MUG-BLUE"])
    handle = dev_env.client.get_workflow_handle(offer_sync_workflow_id(channel))
    history = await handle.fetch_history()
    [signal] = [
        e.workflow_execution_signaled_event_attributes
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
    ]
    (change,) = await dev_env.client.data_converter.decode(signal.input.payloads)
    assert change["skus"] == ["MUG-BLUE"]
    await handle.terminate()
    db.dispose()
