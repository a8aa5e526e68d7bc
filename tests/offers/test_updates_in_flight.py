"""bol processes offer updates later (202, then a process status). The offer
sync does not wait for that: the next round goes out at once, and a follow
beside the rounds settles what bol processed, from the offer book, so even
a lost run leaves nothing unfollowed."""

import asyncio
from contextlib import asynccontextmanager
from datetime import datetime
from functools import partial

from domain.ids import offer_sync_workflow_id
from domain.offers.model import OfferState
from tests.offers.support import live, live_stock_is, stock_updates
from tests.offers.test_offer_sync import LAMP_EAN, MUG_EAN, in_state, publish_catalog
from tests.support import eventually

BOL_PROCESSING = 3.0  # seconds: bol takes seconds in production, 20 ms in the sandbox


def _sent_at(request: dict) -> datetime:
    return datetime.fromisoformat(request["at"])


@asynccontextmanager
async def _bol_processing_slowly(dev_env, two_channels, tmp_path, task_queue, *, also=()):
    """The engine with its worker, the catalogue on bol (and `also`), and bol
    taking BOL_PROCESSING to process each offer update."""
    engine = two_channels.build(tmp_path, task_queue)
    client = dev_env.client
    box = two_channels.bol
    async with engine.worker(client):
        await publish_catalog(engine, client, [box, *also])
        box.state.update_config(process_delay_seconds=BOL_PROCESSING)
        yield engine, client, box


async def _sell(engine, client, sku: str, stock: int) -> None:
    await asyncio.to_thread(engine.inventory.set_stock, sku, stock)
    await engine.notifier(client).changed([sku])


async def test_the_next_update_goes_out_while_bol_still_processes_the_last(dev_env, two_channels, tmp_path, task_queue):
    async with _bol_processing_slowly(dev_env, two_channels, tmp_path, task_queue, also=[two_channels.bol2]) as (
        engine,
        client,
        box,
    ):
        await _sell(engine, client, "MUG-BLUE", 30)
        await eventually(lambda: len(stock_updates(box)) == 1)
        sent = await eventually(lambda: in_state(engine, "bol", "MUG-BLUE", OfferState.PENDING))
        # The book shows what bol is about to show, and what it showed before.
        assert sent.stock == 30
        assert sent.in_flight is not None and sent.in_flight.before.stock == 50

        await _sell(engine, client, "LAMP-DESK", 7)
        await eventually(lambda: len(stock_updates(box)) == 2)
        mug, lamp = stock_updates(box)
        # Sent while bol was still processing the mug's update, not after.
        assert (_sent_at(lamp) - _sent_at(mug)).total_seconds() < BOL_PROCESSING

        await eventually(live_stock_is(box, MUG_EAN, 30), timeout=15)
        await eventually(live_stock_is(box, LAMP_EAN, 7), timeout=15)
        for sku, stock in (("MUG-BLUE", 30), ("LAMP-DESK", 7)):
            settled = await eventually(partial(in_state, engine, "bol", sku, OfferState.ACCEPTED), timeout=15)
            assert (settled.stock, settled.in_flight) == (stock, None)
        # Settled by following bol's process statuses, beside the rounds.
        assert box.state.requests("/shared/process-status")


async def test_a_second_update_of_an_offer_in_flight_goes_out_at_once_and_the_last_one_counts(
    dev_env, two_channels, tmp_path, task_queue
):
    async with _bol_processing_slowly(dev_env, two_channels, tmp_path, task_queue) as (engine, client, box):
        await _sell(engine, client, "MUG-BLUE", 30)
        await eventually(lambda: len(stock_updates(box)) == 1)
        await _sell(engine, client, "MUG-BLUE", 29)
        await eventually(lambda: len(stock_updates(box)) == 2)
        first, second = stock_updates(box)
        assert (_sent_at(second) - _sent_at(first)).total_seconds() < BOL_PROCESSING

        await eventually(live_stock_is(box, MUG_EAN, 29), timeout=15)
        settled = await eventually(lambda: in_state(engine, "bol", "MUG-BLUE", OfferState.ACCEPTED), timeout=15)
        assert (settled.stock, settled.in_flight) == (29, None)


async def test_both_updates_of_an_offer_failing_leave_what_bol_still_shows(dev_env, two_channels, tmp_path, task_queue):
    async with _bol_processing_slowly(dev_env, two_channels, tmp_path, task_queue) as (engine, client, box):
        box.state.add_fault(
            path="/retailer/offers/{offer-id}/stock",
            kind="process_failure",
            errorMessage="Stock of this offer is managed by bol (FBB)",
            times=2,
        )
        await _sell(engine, client, "MUG-BLUE", 30)
        await eventually(lambda: len(stock_updates(box)) == 1)
        await _sell(engine, client, "MUG-BLUE", 29)
        await eventually(lambda: len(stock_updates(box)) == 2)

        rejected = await eventually(lambda: in_state(engine, "bol", "MUG-BLUE", OfferState.REJECTED), timeout=15)
        assert rejected.stock == live(box, MUG_EAN)["stock"]["amount"] == 50
        assert "Stock of this offer is managed by bol (FBB)" in rejected.rejection_reasons


async def test_an_update_a_lost_run_left_in_flight_is_settled_by_the_next_run(
    dev_env, two_channels, tmp_path, task_queue
):
    async with _bol_processing_slowly(dev_env, two_channels, tmp_path, task_queue) as (engine, client, box):
        await _sell(engine, client, "MUG-BLUE", 30)
        await eventually(lambda: in_state(engine, "bol", "MUG-BLUE", OfferState.PENDING))
        await client.get_workflow_handle(offer_sync_workflow_id("bol")).terminate("lost, as by an operator's mistake")

        # The next round, of a new run, sends nothing itself (the lamp's offer
        # is as it should be), and still finds the mug's update in the book.
        await engine.notifier(client).changed(["LAMP-DESK"])
        settled = await eventually(lambda: in_state(engine, "bol", "MUG-BLUE", OfferState.ACCEPTED), timeout=20)
        assert (settled.stock, settled.in_flight) == (30, None)
        assert len(stock_updates(box)) == 1
