"""Following bol's asynchronous process statuses to their end.

A 202 only means "received". Every waiting command registers its process id
here; one poller asks bol about all of them at once (bulk look-up, up to
1,000 ids per call), so a hundred pending shipments cost one request per
look, not a hundred.

When to look is learned: bol finishes most processes of a channel in about
the same time (50 ms in the sandbox, seconds in production), so the first
look at a new process comes after that typical time, then less and less
often as it stays PENDING. A look that comes too early costs a call, one
that comes too late costs every waiting change its latency; the estimate
moves towards the earliest moment a look found processes finished.

Where the seller subscribed to bol's PROCESS_STATUS pushes, a push about a
process is a hint (`hint`): the poller looks at it (and at whatever else is
waiting) at once, in one bulk call, and polling stays on as the safety net
for pushes that are late or lost."""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from activities.marketplaces.bol.http import BolHttp
from activities.marketplaces.bol.ids import BolId, path
from activities.marketplaces.bol.wire import ProcessStatus, ProcessStatusResponse
from domain.errors import BusinessError, MarketplaceError, ProcessStillPending

log = logging.getLogger(__name__)

BULK_LIMIT = 1000
GONE = "GONE"  # bol purges statuses after 48 h: the caller must re-read the entity.
# Pushes arriving this close together are looked up in one call.
HINT_GATHER = 0.01
# A process still PENDING is looked at again after this share of its age:
# short processes are followed closely, hour-long ones a few times an hour.
BACKOFF_SHARE = 0.5
# With pushes, polling is the safety net: the first look waits this many
# typical durations for a push to say the process finished.
PUSH_PATIENCE = 4.0


@dataclass
class _Waiting:
    registered: float
    next_look: float
    looks: int = 0


class ProcessTracker:
    def __init__(
        self, http: BolHttp, min_interval: float = 0.2, max_interval: float = 30.0, pushes: bool = False
    ) -> None:
        """`min_interval`: the shortest wait before a look; `pushes`: bol
        pushes PROCESS_STATUS events for this account (hints arrive)."""
        self._http = http
        self._min = min_interval
        self._max = max_interval
        self._pushes = pushes
        # bol's typical time to finish a process, learned from the looks.
        self.typical = min_interval
        self._waiters: dict[str, list[asyncio.Future[ProcessStatus]]] = {}
        self._waiting: dict[str, _Waiting] = {}
        self._task: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None
        self.polls = 0

    async def wait(
        self,
        process_id: str,
        patience: float,
        heartbeat: Callable[[], None] | None = None,
        heartbeat_every: float = 5.0,
    ) -> ProcessStatus:
        """The final status, or ProcessStillPending once `patience` seconds passed."""
        future: asyncio.Future[ProcessStatus] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(process_id, []).append(future)
        if process_id not in self._waiting:
            # No look right away: a status asked for right after the 202 is
            # always still PENDING; the first look comes after the typical time.
            now = time.monotonic()
            first = self.typical * (PUSH_PATIENCE if self._pushes else 1.0)
            self._waiting[process_id] = _Waiting(registered=now, next_look=now + self._bounded(first))
        self._ensure_running()
        deadline = time.monotonic() + patience
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ProcessStillPending(f"bol process {process_id} still PENDING after {patience:.0f}s")
                try:
                    return await asyncio.wait_for(asyncio.shield(future), timeout=min(left, heartbeat_every))
                except TimeoutError:
                    if heartbeat:
                        heartbeat()
        finally:
            waiters = self._waiters.get(process_id, [])
            if future in waiters:
                waiters.remove(future)
            if not waiters:
                self._waiters.pop(process_id, None)
                self._waiting.pop(process_id, None)

    def hint(self, process_id: str) -> bool:
        """bol pushed that this process finished: look it up now (a push is
        only a hint; the status is read through the authenticated API).
        False when nobody here waits for it."""
        waiting = self._waiting.get(process_id)
        if waiting is None:
            return False
        waiting.next_look = min(waiting.next_look, time.monotonic() + HINT_GATHER)
        if self._wake is not None:
            self._wake.set()
        return True

    def _bounded(self, seconds: float) -> float:
        return min(self._max, max(self._min, seconds))

    def _ensure_running(self) -> None:
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self._wake = asyncio.Event()
            self._task = loop.create_task(self._run(self._wake), name="bol-process-tracker")
        else:
            assert self._wake is not None  # set with the task
            self._wake.set()  # a new process may be due before the one the poller sleeps for

    async def _run(self, wake: asyncio.Event) -> None:
        while self._waiting:
            now = time.monotonic()
            due = min(w.next_look for w in self._waiting.values())
            if due > now:
                wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), timeout=due - now)
                continue
            # Whatever falls due within the shortest interval rides along in the same call.
            asked = [pid for pid, w in self._waiting.items() if w.next_look <= now + self._min]
            try:
                self._learn(asked, await self._poll_once(asked))
            except MarketplaceError as exc:
                # Rate limits and outages slow the poller down; waiters keep
                # waiting until their own patience runs out.
                log.info("process status poll failed, backing off: %s", exc)
                later = time.monotonic() + (self._max if isinstance(exc, BusinessError) else max(self._min, 1.0))
                for waiting in self._waiting.values():
                    waiting.next_look = max(waiting.next_look, later)
            except Exception as exc:
                # An answer we cannot read (a proxy's error page, a changed
                # shape): waiting longer would not make it readable. Those who
                # asked this round hear it now and retry; the poller lives on
                # for everyone who asks next.
                log.warning("process status poll could not be read: %r", exc)
                self._fail_waiters(asked, exc)

    def _learn(self, asked: list[str], finished: set[str]) -> None:
        """Moves the typical time towards what this look saw, and schedules
        the next look at what is still PENDING."""
        now = time.monotonic()
        for process_id in asked:
            waiting = self._waiting.get(process_id)
            if waiting is None:
                continue
            age = now - waiting.registered
            waiting.looks += 1
            if process_id in finished:
                self._waiting.pop(process_id, None)
                # Finished at the first look: it may have finished well before, so aim a little earlier.
                seen = age * 0.8 if waiting.looks == 1 else age
                self.typical = self._bounded(0.8 * self.typical + 0.2 * seen)
            else:
                waiting.next_look = now + self._bounded(max(self.typical, age * BACKOFF_SHARE))

    def _fail_waiters(self, asked: list[str], exc: Exception) -> int:
        failed = 0
        for process_id in asked:
            self._waiting.pop(process_id, None)
            for future in self._waiters.pop(process_id, []):
                if not future.done():
                    future.set_exception(
                        ProcessStillPending(f"the status of bol process {process_id} could not be read: {exc!r}")
                    )
                    failed += 1
        return failed

    async def _poll_once(self, ids: list[str]) -> set[str]:
        """The ids bol reports final (or forgot), their waiters answered."""
        if not ids:
            return set()
        self.polls += 1
        statuses: list[ProcessStatus] = []
        if len(ids) == 1:
            response = await self._http.call(
                "GET", path("/shared/process-status/{}", ids[0], BolId.OPAQUE), ok=(200, 404)
            )
            if response.status_code == 404:
                statuses.append(ProcessStatus(processStatusId=ids[0], status=GONE))
            else:
                statuses.append(ProcessStatus.model_validate(response.json()))
        else:
            for start in range(0, len(ids), BULK_LIMIT):
                chunk = ids[start : start + BULK_LIMIT]
                response = await self._http.call(
                    "POST",
                    "/shared/process-status",
                    json={"processStatusQueries": [{"processStatusId": pid} for pid in chunk]},
                )
                statuses.extend(ProcessStatusResponse.model_validate(response.json()).processStatuses)
        finished: set[str] = set()
        for status in statuses:
            if status.status == "PENDING" or status.processStatusId is None:
                continue
            finished.add(status.processStatusId)
            for future in self._waiters.pop(status.processStatusId, []):
                if not future.done():
                    future.set_result(status)
        return finished
