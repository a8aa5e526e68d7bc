"""What follows a catalog change: every channel's offer sync runs the feed
rules again for the changed products, and orders that waited for a product
that now exists go on. Both need Temporal; the catalog change itself does
not, so it is saved either way."""

import asyncio
from collections.abc import Iterable
from datetime import timedelta

from more_itertools import chunked
from temporalio.client import Client

from activities.notify import StockNotifier
from activities.store import InventoryStore, OfferChanges
from activities.store.catalog import CatalogChanges, CatalogStore
from activities.store.engine import Database
from domain.reasons import WaitingReason
from starter import resume_api
from starter.console import describe
from workers.settings import load_settings
from workers.temporal_client import connect

CONNECT_TIMEOUT = timedelta(seconds=5)
# SKUs per record or offers_changed signal: a first import of 100,000
# products stays far below Temporal's payload limit and takes the store in
# short transactions.
SIGNAL_SKUS = 1000


async def reachable_client() -> Client | str:
    """A client, or why there is none."""
    try:
        return await asyncio.wait_for(connect(), CONNECT_TIMEOUT.total_seconds())
    except TimeoutError:
        return "Temporal did not answer within 5 s"
    except Exception as exc:
        return describe(exc)


async def resync_offers(client: Client, skus: Iterable[str], db: Database) -> list[str]:
    """Tell every channel's offer sync, a chunk of SKUs at a time; returns the
    channels. Recorded in the store for a round that listens (the worker's
    finds them within its window), signalled otherwise."""
    settings = load_settings()
    notifier = StockNotifier.for_channels(client, settings.task_queue, settings.channels, OfferChanges(db))
    if not notifier.windows:
        return []
    for chunk in chunked(skus, SIGNAL_SKUS):
        await notifier.changed(chunk)
    return sorted(notifier.windows)


async def after_catalog_change(db: Database, changes: CatalogChanges, cause: str) -> list[str]:
    """Lines telling the seller what followed; `cause` (the command) goes in
    the timeline of each order it resumes."""
    if not changes.changed_count and not changes.eans_added:
        return []
    client = await reachable_client()
    if isinstance(client, str):
        return [
            f"saved; offers and waiting orders not updated: {client}. "
            "Run `ordertide offers resync` and `ordertide orders resume --reason unknown-ean` once it is up."
        ]
    lines = []
    if changes.changed_count:
        # Past the listed SKUs, every product: streamed from the store, never held.
        skus = dict.fromkeys(changes.changed_skus) if changes.changed_skus_complete else CatalogStore(db).skus()
        channels = await resync_offers(client, skus, db)
        if channels:
            count = len(skus) if isinstance(skus, dict) else "every"
            lines.append(f"feed rules run again for {count} product(s) on {', '.join(channels)}")
    if changes.eans_added:
        outcome = await resume_api.resume_waiting(client, WaitingReason.UNKNOWN_EAN, InventoryStore(db), cause)
        lines += outcome.lines()
    return lines
