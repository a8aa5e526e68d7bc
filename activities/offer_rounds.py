"""A listening offer-sync round: after the changes it was given, it takes
the channel's further changes from the store as they come (recorded by the
notifier, activities/store/offer_changes.py) and sends them, window by
window, until the channel's `offer_sync_listen` is up. Meanwhile nobody
signals the workflow, and the channel's updates still in flight are
followed here too: a stream of sales costs a few activities a minute
instead of a signal, a workflow task and an activity per sale and channel.

Every change keeps its coalescing window (from its first change, or from
the offer's last update if that was later), so the channel still gets at
most one update per offer per window."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from temporalio import activity

from activities.store.offer_changes import OfferChanges
from domain.offers.sync import FollowOffersResult, SyncOffersInput, SyncOffersResult

log = logging.getLogger(__name__)

# Changes read from the store at once, oldest first.
READ_AT_ONCE = 5_000
# One send's SKUs: what one plan reads and one push sends.
SEND_AT_ONCE = 2_000
# A listener that died stops counting this long after it meant to stop.
LEASE_MARGIN = timedelta(seconds=10)
# How often a round looks for changes recorded by another process (a notifier
# in the same one wakes it at once); a change waits its window anyway.
LOOK_AT_LEAST_EVERY = timedelta(seconds=1)
LOOK_AT_MOST_EVERY = timedelta(milliseconds=100)

Send = Callable[[list[str], SyncOffersResult], Awaitable[None]]
Follow = Callable[[], Awaitable[FollowOffersResult]]


def _now() -> datetime:
    return datetime.now(UTC)


def _worker_shuts_down() -> bool:
    return activity.in_activity() and activity.is_worker_shutdown()


@dataclass
class ListeningRound:
    request: SyncOffersInput
    changes: OfferChanges
    listen_for: timedelta
    send: Send
    # Only for channels that process updates later (bol); None otherwise.
    follow: Follow | None
    follow_gather: timedelta
    result: SyncOffersResult = field(default_factory=lambda: SyncOffersResult(rounds=0))
    # Per SKU waiting to be sent: when its window starts.
    _waiting: dict[str, datetime] = field(default_factory=dict)
    _recently_sent: dict[str, datetime] = field(default_factory=dict)
    # Per SKU waiting: the store's rows of its changes read so far.
    _rows: dict[str, set[int]] = field(default_factory=dict)
    # Rows of changes sent, not yet deleted.
    _sent_rows: list[int] = field(default_factory=list)
    _following: asyncio.Task[None] | None = None
    _in_flight_unfollowed: int = 0
    _listening: bool = False
    # A notifier took the channel back for a change it signalled (a catalogue).
    _handed_back: bool = False

    async def run(self) -> SyncOffersResult:
        request, changes = self.request, self.changes
        channel = request.channel
        self._waiting = dict.fromkeys(request.skus, request.window_from or _now())
        self._recently_sent = dict(request.recently_sent)
        deadline = _now() + self.listen_for
        self._listening = self.listen_for > timedelta(0)
        if self._listening:
            await changes.db.run(changes.listen, channel, deadline + LEASE_MARGIN)
        # A round that does not listen reads what was recorded once: under a
        # stream of sales it would never end.
        final = not self._listening
        try:
            if final:
                await self._read()
            while True:
                if self._listening and (_now() >= deadline or _worker_shuts_down() or self._handed_back):
                    # From here on the notifiers signal. What they recorded
                    # before is read once more, and that is the last read:
                    # what comes after is signalled to the next round.
                    await changes.db.run(changes.stop_listening, channel)
                    self._listening = False
                    await self._read()
                    final = True
                elif not final:
                    await self._read()
                if self._waiting:
                    await self._send_next(read_again=not final)
                elif self._listening:
                    await changes.wait(channel, min(self._look_every(), (deadline - _now()).total_seconds()))
                else:
                    break
            if self._sent_rows:
                await changes.db.run(changes.sent, self._sent_rows)
        finally:
            if self._listening:
                # Failed or cancelled: the notifiers signal again at once, not
                # after the lease; the changes stay recorded for the next round.
                with contextlib.suppress(Exception):
                    await asyncio.shield(changes.db.run(changes.stop_listening, channel))
            await self._stop_following()
        # The workflow follows what is left, beside its next round.
        self.result.in_flight = self._in_flight_unfollowed
        now = _now()
        self.result.updated_at = {sku: at for sku, at in self.result.updated_at.items() if now - at < request.window}
        return self.result

    async def _stop_following(self) -> None:
        if (following := self._following) is not None:
            following.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await following

    def _look_every(self) -> float:
        every = min(max(self.request.window, LOOK_AT_MOST_EVERY), LOOK_AT_LEAST_EVERY)
        return every.total_seconds()

    async def _read(self) -> None:
        changes = self.changes
        sent, self._sent_rows = self._sent_rows, []
        found = await changes.db.run(changes.waiting, self.request.channel, READ_AT_ONCE, sent)
        for sku, at in found.first_changed.items():
            if sku not in self._waiting or at < self._waiting[sku]:
                self._waiting[sku] = at
        for sku, ids in found.rows.items():
            self._rows.setdefault(sku, set()).update(ids)
        self.result.more_waiting = not found.complete
        self._handed_back = not found.listening

    async def _send_next(self, read_again: bool) -> None:
        """Waits out the window of the change waiting longest, then sends
        every change that may go: all but those of offers updated within the
        last window."""
        window = self.request.window
        first = min(self._waiting, key=self._ready_at)
        left = (self._ready_at(first) - _now()).total_seconds()
        if left > 0:
            # Changes keep coming during the window: they go in this one send.
            await asyncio.sleep(min(left, window.total_seconds()))
            if read_again:
                await self._read()
        now = _now()
        ready = [sku for sku in self._waiting if self._sent_before(sku, now - window)]
        batch = sorted(ready or [first], key=self._waiting.__getitem__)[:SEND_AT_ONCE]
        rows = [row for sku in batch for row in self._rows.pop(sku, ())]
        for sku in batch:
            del self._waiting[sku]
        sent = SyncOffersResult()
        await self.send(batch, sent)
        self._add(sent)
        # Deleted with the next read, or when the round ends.
        self._sent_rows.extend(rows)

    def _ready_at(self, sku: str) -> datetime:
        """A change goes a window after it came, and an offer at most once a window."""
        window = self.request.window
        ready = self._waiting[sku] + window
        if (sent := self._recently_sent.get(sku)) is not None:
            ready = max(ready, sent + window)
        return ready

    def _sent_before(self, sku: str, at: datetime) -> bool:
        sent = self._recently_sent.get(sku)
        return sent is None or sent <= at

    def _add(self, sent: SyncOffersResult) -> None:
        total = self.result
        total.rounds += 1
        total.considered += sent.considered
        total.sent += sent.sent
        total.accepted += sent.accepted
        total.rejected += sent.rejected
        total.withheld += sent.withheld
        total.updated_at.update(sent.updated_at)
        self._recently_sent.update(sent.updated_at)
        self._in_flight_unfollowed += sent.in_flight
        if sent.in_flight and self.follow is not None and self._following is None and self._listening:
            self._following = asyncio.create_task(self._follow_beside())

    async def _follow_beside(self) -> None:
        """Like the workflow's follow, beside the sends: what bol processed is
        in the offer book within seconds, not when the round ends."""
        assert self.follow is not None
        await asyncio.sleep(self.follow_gather.total_seconds())
        taken, self._in_flight_unfollowed = self._in_flight_unfollowed, 0
        try:
            followed = await self.follow()
        except BaseException as exc:
            # Still in flight: followed again, by the next follow or the workflow's.
            self._in_flight_unfollowed += taken
            self._following = None
            if not isinstance(exc, Exception):
                raise
            log.warning("following offer updates on %s failed", self.request.channel, exc_info=True)
            return
        self._following = None
        self.result.follows += 1
        self.result.last_follow = followed
        for sku in followed.resend:
            self._waiting.setdefault(sku, _now())
        if self._listening and (followed.more or self._in_flight_unfollowed):
            self._following = asyncio.create_task(self._follow_beside())
        self.changes.wake([self.request.channel])
