"""Telling the offer-sync workflow of every channel that stock or prices of
some SKUs changed. Signal-with-start: the first change of a channel starts
its workflow; the workflow coalesces the rest.

Where the engine has a store, each change is first recorded for the
channels' next rounds (activities/store/offer_changes.py), and only the
channels whose round is not listening get a signal: under a stream of sales
a round listens, and the sales cost no signal at all.

Changes from activities running at the same time share one record and one
signal per channel: while one is on its way, what other activities report
collects, and goes in the next as soon as that returns. A burst of thousands
of accepted orders then costs a few signals, not one each (every signal is a
billable action, and they would all queue on the one offer-sync workflow),
and a lone change still goes at once. Each caller returns once its SKUs were
recorded for a listening round or the signal carrying them was taken."""

import asyncio
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy

from activities.store.offer_changes import OfferChanges
from domain import names
from domain.config import ChannelConfig
from domain.ids import offer_sync_workflow_id
from domain.offers.sync import OFFER_SYNC_CODE_VERSION, OffersChanged, OfferSyncInput

log = logging.getLogger(__name__)

# SKUs per signal: 5,000 SKUs of up to 200 characters stay under 1 MB.
SIGNAL_SKUS = 5_000
# A change of more SKUs than this (a catalogue import) goes by signal: the
# rounds are for the stream of sales, and a signal carries 5,000 SKUs at once.
RECORDED_SKUS = 5_000


@dataclass
class _Batch:
    """SKUs per channel waiting for the next record or signal, and who waits for it."""

    skus: dict[str, dict[str, None]] = field(default_factory=dict)
    changed_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    sent: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class StockNotifier:
    def __init__(
        self,
        client: Client | None,
        task_queue: str,
        windows: dict[str, timedelta],
        *,
        listens: dict[str, timedelta] | None = None,
        changes: OfferChanges | None = None,
    ):
        """`windows`: the channels to keep in sync, with their coalescing
        window; `listens`: how long their rounds listen for more changes
        (recorded in `changes`; without it every change is signalled)."""
        self.client = client
        self.task_queue = task_queue
        self.windows = windows
        self.listens = {c: t for c, t in (listens or {}).items() if t > timedelta(0) and c in windows}
        self.changes = changes
        self._collecting: _Batch | None = None
        self._sender: asyncio.Task[None] | None = None
        self.signals = 0

    @classmethod
    def for_channels(
        cls, client: Client | None, task_queue: str, channels: Mapping[str, ChannelConfig], changes: OfferChanges
    ) -> "StockNotifier":
        """For the channels that keep offers in sync, with their windows and listens."""
        syncing = {name: c for name, c in channels.items() if c.offer_sync}
        return cls(
            client,
            task_queue,
            {name: c.offer_sync_window for name, c in syncing.items()},
            listens={name: c.offer_sync_listen for name, c in syncing.items()},
            changes=changes,
        )

    async def changed(self, skus: Iterable[str], channels: Iterable[str] | None = None) -> None:
        """Tells the offer sync of `channels` (default: all) that these SKUs changed."""
        skus = sorted(set(skus))
        if not skus or self.client is None:
            return
        names_ = list(self.windows) if channels is None else [c for c in channels if c in self.windows]
        if not names_:
            return
        loop = asyncio.get_running_loop()
        sender = self._sender
        if sender is not None and sender.get_loop() is not loop:  # a new event loop (tests): start afresh
            self._collecting = sender = None
        batch = self._collecting
        if batch is None:
            batch = self._collecting = _Batch()
        for channel in names_:
            batch.skus.setdefault(channel, {}).update(dict.fromkeys(skus))
        if sender is None or sender.done():
            self._sender = loop.create_task(self._send_all(), name="offers-changed")
        # Shielded: a caller that is cancelled does not take the others' signal with it.
        await asyncio.shield(batch.sent)

    async def _send_all(self) -> None:
        while (batch := self._collecting) is not None:
            self._collecting = None
            try:
                await self._send(batch)
            except Exception as exc:
                # Everyone in the batch hears it, and their activities retry.
                batch.sent.set_exception(exc)
                batch.sent.exception()  # nobody left waiting is not an error
            except BaseException:
                # The worker shuts down: nobody is left to send for the waiters.
                batch.sent.cancel()
                if (rest := self._collecting) is not None:
                    self._collecting = None
                    rest.sent.cancel()
                raise
            else:
                batch.sent.set_result(None)

    async def _send(self, batch: _Batch) -> None:
        listening = await self._record(batch)
        signalled = [c for c in batch.skus if c not in listening]
        await asyncio.gather(*(self._signal_all(c, list(batch.skus[c]), batch.changed_at) for c in signalled))

    async def _record(self, batch: _Batch) -> set[str]:
        """Records the batch for the channels whose rounds listen; returns those listening now."""
        recorded = {c: list(skus) for c, skus in batch.skus.items() if c in self.listens}
        if self.changes is None or not recorded:
            return set()
        changes = self.changes
        if max(map(len, recorded.values())) > RECORDED_SKUS:
            # Signalled: the rounds stop listening, or it would wait for them.
            try:
                await changes.db.run(changes.hand_back, recorded)
            except Exception:
                log.warning("handing offer sync back to the workflow failed", exc_info=True)
            return set()
        try:
            listening = await changes.db.run(changes.record, recorded, batch.changed_at)
        except Exception:
            # Not recorded at all (one transaction): a signal carries the change instead.
            log.warning("recording offer changes failed; signalling them instead", exc_info=True)
            return set()
        changes.wake(listening)
        return listening

    async def _signal_all(self, channel: str, skus: list[str], changed_at: datetime) -> None:
        # One signal must fit in one payload (2 MB): a change of a whole
        # catalogue goes in parts, one after another.
        for start in range(0, len(skus), SIGNAL_SKUS):
            await self._signal(channel, skus[start : start + SIGNAL_SKUS], changed_at)

    async def _signal(self, channel: str, skus: list[str], changed_at: datetime) -> None:
        assert self.client is not None  # changed() sends nothing without one
        self.signals += 1
        # By name: activities do not import workflows.
        await self.client.start_workflow(
            names.OFFER_SYNC_WORKFLOW,
            OfferSyncInput(
                channel=channel,
                window=self.windows[channel],
                code_version=OFFER_SYNC_CODE_VERSION,
            ),
            id=offer_sync_workflow_id(channel),
            task_queue=self.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            start_signal=names.SIGNAL_OFFERS_CHANGED,
            start_signal_args=[OffersChanged(skus=skus, changed_at=changed_at)],
            static_summary=f"Offer sync for {channel}",
        )
