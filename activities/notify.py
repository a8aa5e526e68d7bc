"""Telling the offer-sync workflow of every channel that stock or prices of
some SKUs changed. Signal-with-start: the first change of a channel starts
its workflow; the workflow coalesces the rest."""

import asyncio
from collections.abc import Iterable
from datetime import timedelta

from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy

from domain import names
from domain.ids import offer_sync_workflow_id
from domain.offers.sync import OffersChanged, OfferSyncInput

# SKUs per signal: 5,000 SKUs of up to 200 characters stay under 1 MB.
SIGNAL_SKUS = 5_000


class StockNotifier:
    def __init__(self, client: Client | None, task_queue: str, windows: dict[str, timedelta]):
        """`windows`: the channels to keep in sync, with their coalescing window."""
        self.client = client
        self.task_queue = task_queue
        self.windows = windows

    async def changed(self, skus: Iterable[str], channels: Iterable[str] | None = None) -> None:
        """Tells the offer sync of `channels` (default: all) that these SKUs changed."""
        skus = sorted(set(skus))
        client = self.client
        if not skus or client is None:
            return
        windows = self.windows if channels is None else {c: self.windows[c] for c in channels if c in self.windows}
        # One signal must fit in one payload (2 MB): a change of a whole
        # catalogue goes in parts, one after another.
        for start in range(0, len(skus), SIGNAL_SKUS):
            part = skus[start : start + SIGNAL_SKUS]
            await asyncio.gather(*(self._signal(client, channel, window, part) for channel, window in windows.items()))

    async def _signal(self, client: Client, channel: str, window: timedelta, skus: list[str]) -> None:
        # By name: activities do not import workflows.
        await client.start_workflow(
            names.OFFER_SYNC_WORKFLOW,
            OfferSyncInput(channel=channel, window=window),
            id=offer_sync_workflow_id(channel),
            task_queue=self.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            start_signal=names.SIGNAL_OFFERS_CHANGED,
            start_signal_args=[OffersChanged(skus=skus)],
            static_summary=f"Offer sync for {channel}",
        )
