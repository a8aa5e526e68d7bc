"""bol-looking numeric ids, never handed out twice: not by two sandboxes in
one process, not after a reset, and not after a restart. That matters
because engines key durable things on them — Temporal workflow ids outlive
the sandbox — and a reused id would alias an old order."""

import threading
import time
from datetime import UTC, datetime

# Each kind of entity has its own range, so an id in a log says what it is
# and an order id passed where an order item id belongs never matches one.
_OFFSETS = {
    "process_status": 0,
    "order": 1_000_000_000,
    "order_item": 3_000_000_000,
    "shipment": 5_000_000_000,
    "transport": 6_000_000_000,
    "return": 7_000_000_000,
    "rma": 8_000_000_000,
    "offer_export": 9_000_000_000,
}
_EPOCH = datetime(2020, 1, 1, tzinfo=UTC).timestamp()
_lock = threading.Lock()
_last: dict[str, int] = {}


def next_id(kind: str) -> str:
    # From the wall clock, not the sandbox clock: a restarted sandbox starts
    # above what an earlier run handed out, unless that run averaged more
    # than ten ids of one kind a second.
    floor = int((time.time() - _EPOCH) * 10) + _OFFSETS[kind]
    with _lock:
        value = max(_last.get(kind, 0) + 1, floor)
        _last[kind] = value
    return str(value)
