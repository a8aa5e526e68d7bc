"""Reconciliation never holds up stock updates: it runs beside the offer
sync under a deadline, and an export row it cannot read is reported and
skipped."""

import asyncio
import dataclasses
from collections.abc import Callable
from datetime import timedelta

import httpx

from domain.ids import offer_sync_workflow_id
from domain.names import SIGNAL_RECONCILE_NOW
from domain.offers.model import OfferState
from domain.offers.sync import OFFER_SYNC_CODE_VERSION, OfferSyncInput
from tests.offers.support import live, live_stock_is, settled_in_book, stock_updates
from tests.offers.test_offer_sync import ALL_SKUS, LAMP_EAN, MUG_EAN, in_state, publish_catalog
from tests.support import eventually
from workflows.offer_sync import OfferSyncWorkflow


async def test_a_stuck_export_does_not_hold_up_stock_updates(dev_env, two_channels, tmp_path, task_queue):
    engine = two_channels.build(tmp_path, task_queue)
    client = dev_env.client
    box = two_channels.bol
    handle = await client.start_workflow(
        OfferSyncWorkflow.run,
        OfferSyncInput(
            channel="bol",
            window=timedelta(milliseconds=100),
            reconcile_deadline=timedelta(seconds=4),
            code_version=OFFER_SYNC_CODE_VERSION,
        ),
        id=offer_sync_workflow_id("bol"),
        task_queue=task_queue,
    )
    async with engine.worker(client):
        await publish_catalog(engine, client, [box])
        await settled_in_book(engine)
        box.state.add_fault(path="/retailer/offers/export", kind="status", status=503)  # bol's export is down
        await handle.signal(SIGNAL_RECONCILE_NOW)
        await eventually(lambda: box.state.requests("/retailer/offers/export"))

        await asyncio.to_thread(engine.inventory.set_stock, "MUG-BLUE", 17)
        await engine.notifier(client).changed(["MUG-BLUE"])
        await eventually(live_stock_is(box, MUG_EAN, 17), timeout=15)

        # The deadline ends the attempt, and the seller sees why.
        async def gave_up():
            last = (await handle.query(OfferSyncWorkflow.state)).last_reconcile
            return last is not None and last.failure

        assert await eventually(gave_up, timeout=20)


class RewrittenExport(httpx.AsyncBaseTransport):
    """bol's export file, as `rewrite` changes it on the way."""

    def __init__(self, inner: httpx.AsyncBaseTransport, rewrite: Callable[[list[str]], list[str]]):
        self.inner = inner
        self.rewrite = rewrite

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method != "GET" or not request.url.path.startswith("/retailer/offers/export/"):
            return response
        lines = self.rewrite((await response.aread()).decode().splitlines())
        return httpx.Response(response.status_code, headers=response.headers, content="\n".join(lines).encode())


def cut_row_of(ean: str) -> Callable[[list[str]], list[str]]:
    """The row of `ean` cut short after its offer id."""
    return lambda lines: [line.split(",")[0] if f",{ean}," in line else line for line in lines]


def without_column(name: str) -> Callable[[list[str]], list[str]]:
    def rewrite(lines: list[str]) -> list[str]:
        at = lines[0].split(",").index(name)
        return [",".join(field for i, field in enumerate(line.split(",")) if i != at) for line in lines]

    return rewrite


async def test_an_unreadable_export_row_is_reported_and_the_rest_still_repaired(
    dev_env, two_channels, tmp_path, task_queue
):
    box = two_channels.bol
    two_channels.bol = dataclasses.replace(box, transport=RewrittenExport(box.transport, cut_row_of(LAMP_EAN)))
    engine = two_channels.build(tmp_path, task_queue)
    client = dev_env.client
    async with engine.worker(client):
        await publish_catalog(engine, client, [box])
        await settled_in_book(engine)
        lamp = live(box, LAMP_EAN)["offerId"]
        box.state.drift_offer(live(box, MUG_EAN)["offerId"], stock=3)  # someone edits bol's portal
        handle = client.get_workflow_handle(offer_sync_workflow_id("bol"))
        await handle.signal(SIGNAL_RECONCILE_NOW)
        await eventually(live_stock_is(box, MUG_EAN, 50), timeout=20)
        state = await handle.query(OfferSyncWorkflow.state)
    assert state.last_reconcile.drifted == ["MUG-BLUE"]
    assert state.last_reconcile.vanished == []
    assert state.last_reconcile.bad_row_count == 1
    assert f"offer {lamp}: the row is cut short" in state.last_reconcile.bad_rows[0]
    assert state.last_reconcile.live == len(ALL_SKUS)
    assert live(box, LAMP_EAN)["offerId"] == lamp  # left alone, not created again


async def test_drift_larger_than_a_result_names_is_repaired_all_the_same(
    dev_env, two_channels, tmp_path, task_queue, monkeypatch
):
    # A result names a few SKUs (it is one payload); here one stands for a
    # bulk edit in the portal that touched more offers than a payload holds.
    monkeypatch.setattr("activities.offer_sync.REPORTED_SKUS", 1, raising=False)
    engine = two_channels.build(tmp_path, task_queue)
    client = dev_env.client
    box = two_channels.bol
    async with engine.worker(client):
        await publish_catalog(engine, client, [box])
        await settled_in_book(engine)
        edited = [o["offerId"] for o in box.state.offers()][:3]
        for offer_id in edited:
            box.state.drift_offer(offer_id, stock=2)
        handle = client.get_workflow_handle(offer_sync_workflow_id("bol"))
        await handle.signal(SIGNAL_RECONCILE_NOW)
        await eventually(lambda: all(box.state.offer(i)["stock"]["amount"] == 50 for i in edited), timeout=20)
        state = await handle.query(OfferSyncWorkflow.state)
    assert len(state.last_reconcile.drifted) == 1
    assert state.last_reconcile.drifted_count == 3


async def test_an_offer_left_rejected_without_an_id_is_taken_over_by_reconciliation(
    dev_env, two_channels, tmp_path, task_queue
):
    engine = two_channels.build(tmp_path, task_queue)
    client = dev_env.client
    box = two_channels.bol
    async with engine.worker(client):
        await publish_catalog(engine, client, [box])
        await settled_in_book(engine)
        # As earlier versions left it: the re-sent create was refused as a
        # duplicate, and the store forgot the offer bol still sells.
        before = await eventually(lambda: in_state(engine, "bol", "MUG-BLUE", OfferState.ACCEPTED))
        [desired] = engine.offers.offers_and_desired("bol", ["MUG-BLUE"])[1].values()
        refused = before.model_copy(
            update={"offer_id": None, "state": OfferState.REJECTED, "rejection_reasons": ["already exists"]}
        )
        await asyncio.to_thread(engine.offers.record, refused, desired)
        box.state.drift_offer(live(box, MUG_EAN)["offerId"], stock=3)

        handle = client.get_workflow_handle(offer_sync_workflow_id("bol"))
        await handle.signal(SIGNAL_RECONCILE_NOW)
        await eventually(live_stock_is(box, MUG_EAN, 50), timeout=20)
        state = await handle.query(OfferSyncWorkflow.state)
    assert state.last_reconcile.adopted == ["MUG-BLUE"]
    assert engine.offers.offers("bol")["MUG-BLUE"].offer_id == live(box, MUG_EAN)["offerId"]


async def test_an_export_without_the_stock_column_compares_the_rest_and_resends_nothing(
    dev_env, two_channels, tmp_path, task_queue
):
    box = two_channels.bol
    two_channels.bol = dataclasses.replace(box, transport=RewrittenExport(box.transport, without_column("stockAmount")))
    engine = two_channels.build(tmp_path, task_queue)
    client = dev_env.client
    async with engine.worker(client):
        await publish_catalog(engine, client, [box])
        await settled_in_book(engine)
        box.state.drift_offer(live(box, MUG_EAN)["offerId"], onHoldByRetailer=True)
        handle = client.get_workflow_handle(offer_sync_workflow_id("bol"))
        await handle.signal(SIGNAL_RECONCILE_NOW)
        await eventually(lambda: live(box, MUG_EAN)["onHoldByRetailer"] is False, timeout=20)
        await asyncio.sleep(1)
        state = await handle.query(OfferSyncWorkflow.state)
    assert state.last_reconcile.drifted == ["MUG-BLUE"]  # not every offer: stock was not compared
    assert "no column for stock" in state.last_reconcile.bad_rows[0]
    assert not stock_updates(box)
