"""Offer changes waiting for each channel's next sync round, and the rounds
listening for them.

A sale used to cost every channel one signal to its offer-sync workflow, one
workflow task and one sync activity: 9 billable actions per sale on five
channels. Now a round keeps listening for a while (activities/offer_sync.py):
the notifier records each change here, and signals only the channels whose
round does not listen.

Nothing may fall between the two. The notifier records the change and reads
who listens in one transaction that holds the listener rows (FOR SHARE on
PostgreSQL; SQLite runs one transaction at a time); a round that stops
listening clears its row, which waits for such transactions, and then reads
the changes once more. So a change either finds the round listening and is
read by it, or finds it gone and is signalled. A listener that died stops
counting when its lease runs out."""

import asyncio
import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, delete, select, update

from activities.store.engine import Database
from activities.store.tables import OfferChangeRow, OfferListenerRow

# Rows deleted in one statement: well under SQLite's and PostgreSQL's limits on parameters.
DELETE_AT_ONCE = 5_000


@dataclass(frozen=True)
class WaitingChanges:
    """A channel's waiting changes: per SKU its first change and the rows read."""

    first_changed: dict[str, datetime]
    rows: dict[str, list[int]]
    # Every waiting change was read (fewer than the limit).
    complete: bool
    # The channel's round still counts as listening (not handed back).
    listening: bool


def _aware(at: datetime) -> datetime:
    # SQLite gives datetimes back without their zone; they were written in UTC.
    return at if at.tzinfo else at.replace(tzinfo=UTC)


class OfferChanges:
    def __init__(self, db: Database):
        self.db = db
        self.session = db.session
        # Rounds listening in this process, woken at once by a notifier of the
        # same process; a round elsewhere finds the rows when it next looks.
        self._wakeups: dict[str, tuple[asyncio.AbstractEventLoop, asyncio.Event]] = {}

    def record(self, changed: Mapping[str, Iterable[str]], at: datetime) -> set[str]:
        """Records that these SKUs changed, per channel; returns the channels
        whose round listens (the others need a signal)."""
        now = datetime.now(UTC)
        with self.session() as s, s.begin():
            s.add_all(
                OfferChangeRow(channel=channel, sku=sku, changed_at=at)
                for channel, skus in changed.items()
                for sku in skus
            )
            s.flush()
            # Read after the rows are written and held to the commit: a round
            # clearing its row waits for this transaction (see the module).
            listeners = s.exec(
                select(OfferListenerRow)
                .where(col(OfferListenerRow.channel).in_(list(changed)))
                .with_for_update(read=True)
            )
            return {row.channel for row in listeners if row.until is not None and _aware(row.until) > now}

    def wake(self, channels: Iterable[str]) -> None:
        for channel in channels:
            if (waiting := self._wakeups.get(channel)) is not None:
                waiting[1].set()

    async def wait(self, channel: str, timeout: float) -> None:
        """Until a notifier of this process wakes the channel's round, or `timeout`."""
        loop = asyncio.get_running_loop()
        waiting = self._wakeups.get(channel)
        if waiting is None or waiting[0] is not loop:  # a new event loop (tests): a new event
            waiting = self._wakeups[channel] = (loop, asyncio.Event())
        event = waiting[1]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)
        event.clear()

    def listen(self, channel: str, until: datetime) -> None:
        """The channel's round takes the changes from here on, until `until` at the latest."""
        with self.session() as s, s.begin():
            row = s.get(OfferListenerRow, channel, with_for_update=True)
            if row is None:
                s.add(OfferListenerRow(channel=channel, until=until))
            else:
                row.until = until
                s.add(row)

    def stop_listening(self, channel: str) -> None:
        """Waits for the notifiers that saw the round listening: read the
        changes after this, and none of theirs is missed."""
        with self.session() as s, s.begin():
            row = s.get(OfferListenerRow, channel, with_for_update=True)
            if row is not None:
                row.until = None
                s.add(row)

    def hand_back(self, channels: Iterable[str]) -> None:
        """The channels' rounds stop listening at their next look: a change
        too large for the store (a catalogue) goes by signal, and must not
        wait for them."""
        with self.session() as s, s.begin():
            s.exec(update(OfferListenerRow).where(col(OfferListenerRow.channel).in_(list(channels))).values(until=None))

    def waiting(self, channel: str, limit: int, sent: list[int] | None = None) -> WaitingChanges:
        """The first `limit` changes waiting for the channel's round, oldest
        first; `sent`: rows to delete first, as `sent()` would, in the same
        transaction (one store transaction less per send)."""
        # Without rows to delete, a read that never waits for the write lock.
        with self.session() if sent else self.db.reading() as s:
            _delete(s, sent or [])
            rows = s.exec(
                select(OfferChangeRow.id, OfferChangeRow.sku, OfferChangeRow.changed_at)
                .where(OfferChangeRow.channel == channel)
                .order_by(col(OfferChangeRow.id))
                .limit(limit)
            ).all()
            listener = s.get(OfferListenerRow, channel)
            s.commit()
        until = listener.until if listener is not None else None
        listening = until is not None and _aware(until) > datetime.now(UTC)
        first: dict[str, datetime] = {}
        ids: dict[str, list[int]] = {}
        for row_id, sku, at in rows:
            first.setdefault(sku, _aware(at))
            if row_id is not None:  # always, once written
                ids.setdefault(sku, []).append(row_id)
        return WaitingChanges(first_changed=first, rows=ids, complete=len(rows) < limit, listening=listening)

    def sent(self, rows: list[int]) -> None:
        """The round sent what the changes of these rows asked for. By row,
        not "up to" one: ids need not grow in the order changes commit."""
        with self.session() as s, s.begin():
            _delete(s, rows)


def _delete(s: Session, rows: list[int]) -> None:
    for start in range(0, len(rows), DELETE_AT_ONCE):
        s.exec(delete(OfferChangeRow).where(col(OfferChangeRow.id).in_(rows[start : start + DELETE_AT_ONCE])))
