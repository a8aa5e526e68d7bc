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


class StockNotifier:
    def __init__(self, client: Client | None, task_queue: str, windows: dict[str, timedelta]):
        """`windows`: the channels to keep in sync, with their coalescing window."""
        self.client = client
        self.task_queue = task_queue
        self.windows = windows

    async def changed(self, skus: Iterable[str]) -> None:
        skus = sorted(set(skus))
        if not skus or self.client is None:
            return
        client = self.client
        await asyncio.gather(
            *(
                # By name: activities do not import workflows.
                client.start_workflow(
                    names.OFFER_SYNC_WORKFLOW,
                    OfferSyncInput(channel=channel, window=window),
                    id=offer_sync_workflow_id(channel),
                    task_queue=self.task_queue,
                    id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                    start_signal=names.SIGNAL_OFFERS_CHANGED,
                    start_signal_args=[OffersChanged(skus=skus)],
                    static_summary=f"Offer sync for {channel}",
                )
                for channel, window in self.windows.items()
            )
        )
