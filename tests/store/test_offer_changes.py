"""The handoff between the notifier and a listening offer-sync round
(activities/store/offer_changes.py): a change either finds the round
listening and is read by it, or finds it gone and is signalled. Nothing
falls between, on SQLite and on PostgreSQL."""

import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from activities.store import Database
from activities.store.offer_changes import OfferChanges

SLOW_COMMIT = 1.0  # seconds the notifier's transaction takes to commit


def test_a_change_that_saw_the_round_listening_is_read_once_it_stops(db: Database):
    changes = OfferChanges(db)
    changes.listen("bol", datetime.now(UTC) + timedelta(minutes=1))

    def slow_notifier_commit(_conn):
        if threading.current_thread().name == "notifier":
            time.sleep(SLOW_COMMIT)

    event.listen(db.engine, "commit", slow_notifier_commit)
    seen: list[set[str]] = []
    notifier = threading.Thread(
        target=lambda: seen.append(changes.record({"bol": ["MUG"]}, datetime.now(UTC))), name="notifier"
    )
    try:
        notifier.start()
        time.sleep(SLOW_COMMIT / 3)  # the notifier has read who listens, and is committing
        started = time.monotonic()
        changes.stop_listening("bol")
        waited = time.monotonic() - started
        after_stop = changes.waiting("bol", 100)
        notifier.join()
    finally:
        event.remove(db.engine, "commit", slow_notifier_commit)
    assert seen == [{"bol"}], "the notifier found the round listening: it sends no signal"
    # So the round's last read, after it stopped listening, has the change.
    assert list(after_stop.first_changed) == ["MUG"]
    assert waited > SLOW_COMMIT / 3, "stopping waits for the notifier that saw the round listening"
    # From now on the notifiers signal.
    assert changes.record({"bol": ["LAMP"]}, datetime.now(UTC)) == set()


def test_a_listener_that_died_stops_counting_when_its_lease_runs_out(db: Database):
    changes = OfferChanges(db)
    changes.listen("bol", datetime.now(UTC) + timedelta(milliseconds=300))
    assert changes.record({"bol": ["MUG"], "kaufland": ["MUG"]}, datetime.now(UTC)) == {"bol"}
    time.sleep(0.4)
    assert changes.record({"bol": ["MUG"]}, datetime.now(UTC)) == set()


def test_what_a_round_sent_goes_and_a_change_after_its_read_stays(db: Database):
    changes = OfferChanges(db)
    first = datetime.now(UTC) - timedelta(seconds=2)
    changes.record({"bol": ["MUG", "LAMP"], "kaufland": ["MUG"]}, first)
    read = changes.waiting("bol", 100)
    assert read.complete and set(read.first_changed) == {"MUG", "LAMP"}
    assert abs(read.first_changed["MUG"] - first) < timedelta(milliseconds=1)

    later = datetime.now(UTC)
    changes.record({"bol": ["MUG"]}, later)  # while the round sends
    changes.sent([row for rows in read.rows.values() for row in rows])

    left = changes.waiting("bol", 100)
    assert list(left.first_changed) == ["MUG"]
    assert abs(left.first_changed["MUG"] - later) < timedelta(milliseconds=1)
    # Another channel's changes wait for its own round.
    assert list(changes.waiting("kaufland", 100).first_changed) == ["MUG"]
    # A read up to a limit says whether it took them all.
    changes.record({"bol": ["CUP"]}, later)
    assert not changes.waiting("bol", 1).complete


def test_a_change_recorded_after_the_table_emptied_is_not_taken_for_one_already_sent(db: Database):
    """SQLite would give a new row the id of a deleted one: a late delete of
    a sent row, or a round that sent "everything up to row 3", would take a
    later change it never read."""
    changes = OfferChanges(db)
    changes.record({"bol": ["MUG", "LAMP", "CUP"]}, datetime.now(UTC))
    read = changes.waiting("bol", 100)
    changes.sent([row for rows in read.rows.values() for row in rows])
    changes.record({"bol": ["MUG"]}, datetime.now(UTC))  # the table was empty: an old id again, on SQLite
    changes.sent(read.rows["MUG"])  # a retry of the same delete
    assert list(changes.waiting("bol", 100).first_changed) == ["MUG"]
