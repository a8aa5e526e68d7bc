"""What a sandbox keeps for its control API besides its marketplace state:
the requests it saw, the faults injected into it and the responses it holds
back. Shared by every sandbox; each keeps its own under its own lock."""

import itertools
import threading
from typing import Any

from sandbox.bol.faults import Fault, FaultBook


class FaultDesk:
    lock: threading.RLock

    def _open_desk(self) -> None:
        self._faults = FaultBook()
        self._requests: list[dict[str, Any]] = []
        self._held: dict[str, dict[str, Any]] = {}
        self._hold_ids = itertools.count(1)

    def _clear_desk(self) -> None:
        self._faults.clear()
        self._held.clear()
        self._requests.clear()

    def record(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self._requests.append(entry)

    def requests(self, path: str | None = None) -> list[dict[str, Any]]:
        """Requests in arrival order; `path` filters by prefix."""
        with self.lock:
            return [dict(r) for r in self._requests if path is None or r["path"].startswith(path)]

    def add_fault(self, **fields: Any) -> dict[str, Any]:
        """Fields as in POST /_sandbox/faults: path, kind, method?, times?,
        status?, retryAfter?, delaySeconds?, errorMessage?."""
        with self.lock:
            return self._faults.add(**fields).to_json()

    def faults(self) -> list[dict[str, Any]]:
        with self.lock:
            return self._faults.all()

    def remove_fault(self, fault_id: str) -> bool:
        with self.lock:
            return self._faults.remove(fault_id)

    def clear_faults(self) -> None:
        with self.lock:
            self._faults.clear()

    def take_fault(self, method: str, path: str, kinds: frozenset[str]) -> Fault | None:
        with self.lock:
            return self._faults.take(method, path, kinds)

    def peek_faults(self, method: str, path: str, kinds: frozenset[str]) -> list[Fault]:
        with self.lock:
            return self._faults.matching(method, path, kinds)

    def use_fault(self, fault_id: str) -> None:
        with self.lock:
            self._faults.use(fault_id)

    def hold(self, request: dict[str, Any]) -> str:
        """Keep a response back (a hold fault hit); returns the hold's id."""
        with self.lock:
            hold_id = str(next(self._hold_ids))
            self._held[hold_id] = {"id": hold_id, **request}
            return hold_id

    def is_held(self, hold_id: str) -> bool:
        with self.lock:
            return hold_id in self._held

    def holds(self) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(held) for held in self._held.values()]

    def release_holds(self) -> int:
        with self.lock:
            released = len(self._held)
            self._held.clear()
            return released
