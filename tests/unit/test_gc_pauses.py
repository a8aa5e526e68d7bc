"""The worker freezes what it loaded at start, so full collections walk only
what came after, and it names the collections that paused it noticeably."""

import gc
import logging

import pytest

from workers import gc_pauses


@pytest.fixture
def settled():
    threshold = gc.get_threshold()
    gc_pauses.settle_garbage_collection()
    yield
    gc.callbacks.remove(gc_pauses._log_long_pauses)
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_what_the_worker_loaded_at_start_is_never_walked_again(settled):
    assert gc.get_freeze_count() > 0


def test_young_objects_are_collected_in_large_batches_so_full_collections_come_rarely(settled):
    assert gc.get_threshold()[0] == gc_pauses.YOUNG_COLLECTION_AFTER > 700


def test_a_collection_that_pauses_the_worker_is_logged_with_what_it_freed(settled, caplog, monkeypatch):
    monkeypatch.setattr(gc_pauses, "NOTICEABLE", 0.0)
    gc.disable()  # the garbage below waits for the one collection
    try:
        for _ in range(1000):
            cycle: list = []
            cycle.append(cycle)
        del cycle
        with caplog.at_level(logging.WARNING, logger=gc_pauses.__name__):
            gc.collect()
    finally:
        gc.enable()
    full = [m for r in caplog.records if "(generation 2) paused the worker for" in (m := r.getMessage())]
    assert full and int(full[-1].split(", ")[1].split()[0]) >= 1000


def test_a_short_collection_is_not_logged(settled, caplog):
    with caplog.at_level(logging.WARNING, logger=gc_pauses.__name__):
        gc.collect(0)
    assert not [r for r in caplog.records if r.name == gc_pauses.__name__]
