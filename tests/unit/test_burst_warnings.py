"""`bench burst` reports the worker's warnings (the goal: none from the SDK
under a burst). The worker's own notices of a long garbage collection
(workers/gc_pauses.py) say how long a pause was, not that anything went
wrong: they are counted apart, not as warnings."""

import io
import logging

from starter.bench.burst import worker_warnings
from starter.console import LOG_FORMAT
from workers import gc_pauses

# As the SDK's core writes a slow workflow task to the worker's log.
SDK_WARNING = (
    "2026-12-06T04:01:02.345678Z  WARN temporal_sdk_core::worker::workflow: "
    "Workflow task took 1204ms, run_id=0b7c6f4e-1d2a-4e58-9a51-3c1f0a9e7d21"
)


def _logged_gc_notice() -> str:
    """A notice as the worker's logging writes it."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    gc_pauses.log.addHandler(handler)
    try:
        gc_pauses._log_long_pauses("start", {})
        gc_pauses._started[0] -= 0.5  # the collection began half a second ago
        gc_pauses._log_long_pauses("stop", {"generation": 2, "collected": 1234})
    finally:
        gc_pauses.log.removeHandler(handler)
    return out.getvalue().strip()


def test_the_workers_own_gc_pause_notices_are_not_counted_as_warnings():
    notice = _logged_gc_notice()
    assert "garbage collection (generation 2) paused the worker" in notice
    warnings, gc_notices = worker_warnings([notice, SDK_WARNING, notice, "an INFO line"])
    assert gc_notices == 2
    assert warnings.total() == 1
    [(kind, count)] = warnings.items()
    assert count == 1 and "Workflow task took #ms" in kind


def test_the_same_warning_for_other_runs_counts_as_one_kind():
    other_run = SDK_WARNING.replace("1204", "1877").replace("0b7c6f4e", "9a9a9a9a")
    warnings, gc_notices = worker_warnings([SDK_WARNING, other_run])
    assert gc_notices == 0
    assert list(warnings.values()) == [2]
