"""Garbage collection in a long-running worker. A full collection holds the
GIL while it walks every object, so every workflow task in the worker waits
(measured in `bench burst`: 0.1-0.7 s pauses, the source of most tasks over
1 s). What was loaded at start lives as long as the process: frozen, the
collector never walks it again; what comes after is collected less often.
Pauses that remain long are logged, so a slow-task warning from the SDK can
be told apart from slow workflow code."""

import gc
import logging
import time
from typing import Any

log = logging.getLogger(__name__)
NOTICEABLE = 0.1  # seconds
# Objects allocated (net of those freed) before a young collection; Python's
# default is 700. A full collection is weighed every 100 young ones, so at
# 700 a burst of 2,500 orders set off 11 full collections of 0.1-0.7 s each
# (`bench burst`), every workflow task of the worker waiting on each. At
# 50,000 it sets off two, and a young collection still takes milliseconds.
YOUNG_COLLECTION_AFTER = 50_000


def settle_garbage_collection() -> None:
    """Once the worker has imported and built what it keeps for its lifetime."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_AFTER, middle, old)
    if _log_long_pauses not in gc.callbacks:
        gc.callbacks.append(_log_long_pauses)


_started: list[float] = []


def _log_long_pauses(phase: str, info: dict[str, Any]) -> None:
    # Runs in whichever thread set the collection off, a workflow's sandbox
    # too: only modules imported here, never an import at call time.
    if phase == "start":
        _started[:] = [time.perf_counter(), time.thread_time()]
        return
    if len(_started) != 2:
        return
    started, cpu_started = _started
    _started.clear()
    took = time.perf_counter() - started
    if took >= NOTICEABLE:
        # CPU well under the pause: the machine kept the collecting thread
        # waiting (other processes on its cores), not the collection's work.
        log.warning(
            "garbage collection (generation %d) paused the worker for %.0f ms (%.0f ms of CPU), %d objects freed",
            info["generation"],
            took * 1000,
            (time.thread_time() - cpu_started) * 1000,
            info["collected"],
        )
