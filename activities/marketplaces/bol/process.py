"""Following bol's asynchronous process statuses to their end.

A 202 only means "received". Every waiting command registers its process id
here; one poller asks bol about all of them at once (bulk look-up, up to
1,000 ids per call), so a hundred pending shipments cost one request per
tick, not a hundred."""

import asyncio
import logging
import time
from collections.abc import Callable

from activities.marketplaces.bol.http import BolHttp
from activities.marketplaces.bol.ids import BolId, path
from activities.marketplaces.bol.wire import ProcessStatus, ProcessStatusResponse
from domain.errors import BusinessError, MarketplaceError, ProcessStillPending

log = logging.getLogger(__name__)

BULK_LIMIT = 1000
GONE = "GONE"  # bol purges statuses after 48 h: the caller must re-read the entity.


class ProcessTracker:
    def __init__(self, http: BolHttp, min_interval: float = 0.2, max_interval: float = 30.0):
        self._http = http
        self._min = min_interval
        self._max = max_interval
        self._waiters: dict[str, list[asyncio.Future[ProcessStatus]]] = {}
        self._task: asyncio.Task[None] | None = None
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
        # No wake-up: a status asked for right after the 202 is always still
        # PENDING; the next tick of the poller is soon enough.
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

    def _ensure_running(self) -> None:
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self._task = loop.create_task(self._run(), name="bol-process-tracker")

    async def _run(self) -> None:
        interval = self._min
        await asyncio.sleep(interval)
        while self._waiters:
            asked = list(self._waiters)
            try:
                finished = await self._poll_once(asked)
            except MarketplaceError as exc:
                # Rate limits and outages slow the poller down; waiters keep
                # waiting until their own patience runs out.
                log.info("process status poll failed, backing off: %s", exc)
                finished = 0
                interval = self._max if isinstance(exc, BusinessError) else max(interval, 1.0)
            except Exception as exc:
                # An answer we cannot read (a proxy's error page, a changed
                # shape): waiting longer would not make it readable. Those who
                # asked this round hear it now and retry; the poller lives on
                # for everyone who asks next.
                log.warning("process status poll could not be read: %r", exc)
                finished = self._fail_waiters(asked, exc)
            interval = self._min if finished else min(self._max, interval * 1.5)
            await asyncio.sleep(interval)

    def _fail_waiters(self, asked: list[str], exc: Exception) -> int:
        failed = 0
        for process_id in asked:
            for future in self._waiters.pop(process_id, []):
                if not future.done():
                    future.set_exception(
                        ProcessStillPending(f"the status of bol process {process_id} could not be read: {exc!r}")
                    )
                    failed += 1
        return failed

    async def _poll_once(self, ids: list[str]) -> int:
        if not ids:
            return 0
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
        finished = 0
        for status in statuses:
            if status.status == "PENDING" or status.processStatusId is None:
                continue
            for future in self._waiters.pop(status.processStatusId, []):
                if not future.done():
                    future.set_result(status)
                    finished += 1
        return finished
