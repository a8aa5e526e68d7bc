"""Telling the offer-sync workflow of every channel that stock or prices of
some SKUs changed. Signal-with-start: the first change of a channel starts
its workflow; the workflow coalesces the rest.

Changes from activities running at the same time share one signal per
channel: while a channel's signal is on its way, what other activities
report collects, and goes in the next one as soon as that returns. A burst
of thousands of accepted orders then costs a few signals, not one each
(every signal is a billable action, and they would all queue on the one
offer-sync workflow), and a lone change still goes at once. Each caller
returns once the signal carrying its SKUs was taken, as before."""

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy

from domain import names
from domain.ids import offer_sync_workflow_id
from domain.offers.sync import OFFER_SYNC_CODE_VERSION, OffersChanged, OfferSyncInput

# SKUs per signal: 5,000 SKUs of up to 200 characters stay under 1 MB.
SIGNAL_SKUS = 5_000


@dataclass
class _Batch:
    """SKUs waiting for a channel's next signal, and who waits for it."""

    skus: dict[str, None] = field(default_factory=dict)
    changed_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    sent: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class StockNotifier:
    def __init__(self, client: Client | None, task_queue: str, windows: dict[str, timedelta]):
        """`windows`: the channels to keep in sync, with their coalescing window."""
        self.client = client
        self.task_queue = task_queue
        self.windows = windows
        self._collecting: dict[str, _Batch] = {}
        self._senders: dict[str, asyncio.Task[None]] = {}
        self.signals = 0

    async def changed(self, skus: Iterable[str], channels: Iterable[str] | None = None) -> None:
        """Tells the offer sync of `channels` (default: all) that these SKUs changed."""
        skus = sorted(set(skus))
        if not skus or self.client is None:
            return
        names_ = list(self.windows) if channels is None else [c for c in channels if c in self.windows]
        await asyncio.gather(*(self._join(channel, skus) for channel in names_))

    async def _join(self, channel: str, skus: list[str]) -> None:
        loop = asyncio.get_running_loop()
        sender = self._senders.get(channel)
        if sender is not None and sender.get_loop() is not loop:  # a new event loop (tests): start afresh
            self._collecting.pop(channel, None)
            sender = None
        batch = self._collecting.get(channel)
        if batch is None:
            batch = self._collecting[channel] = _Batch()
        batch.skus.update(dict.fromkeys(skus))
        if sender is None or sender.done():
            self._senders[channel] = loop.create_task(self._send_all(channel), name=f"offers-changed-{channel}")
        # Shielded: a caller that is cancelled does not take the others' signal with it.
        await asyncio.shield(batch.sent)

    async def _send_all(self, channel: str) -> None:
        while (batch := self._collecting.pop(channel, None)) is not None:
            try:
                await self._send(channel, list(batch.skus), batch.changed_at)
            except Exception as exc:
                # Everyone in the batch hears it, and their activities retry.
                batch.sent.set_exception(exc)
                batch.sent.exception()  # nobody left waiting is not an error
            except BaseException:
                # The worker shuts down: nobody is left to send for the waiters.
                batch.sent.cancel()
                if (rest := self._collecting.pop(channel, None)) is not None:
                    rest.sent.cancel()
                raise
            else:
                batch.sent.set_result(None)

    async def _send(self, channel: str, skus: list[str], changed_at: datetime) -> None:
        # One signal must fit in one payload (2 MB): a change of a whole
        # catalogue goes in parts, one after another.
        for start in range(0, len(skus), SIGNAL_SKUS):
            await self._signal(channel, self.windows[channel], skus[start : start + SIGNAL_SKUS], changed_at)

    async def _signal(self, channel: str, window: timedelta, skus: list[str], changed_at: datetime) -> None:
        assert self.client is not None  # changed() sends nothing without one
        self.signals += 1
        # By name: activities do not import workflows.
        await self.client.start_workflow(
            names.OFFER_SYNC_WORKFLOW,
            OfferSyncInput(channel=channel, window=window, code_version=OFFER_SYNC_CODE_VERSION),
            id=offer_sync_workflow_id(channel),
            task_queue=self.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            start_signal=names.SIGNAL_OFFERS_CHANGED,
            start_signal_args=[OffersChanged(skus=skus, changed_at=changed_at)],
            static_summary=f"Offer sync for {channel}",
        )
