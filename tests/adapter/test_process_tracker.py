"""The process-status poller serves every waiting command of a channel: an
answer it cannot read must neither kill it nor leave commands waiting."""

import asyncio

import httpx
import pytest

from activities.marketplaces.bol.adapter import BolAdapter
from domain.errors import ProcessStillPending
from tests.support import SandboxedBol, bol_channel
from tests.workflows.helpers import MUG

# Far longer than the test waits: a waiter left to its patience fails the test.
PATIENCE = 600.0


class GarbledProcessStatus(httpx.AsyncBaseTransport):
    """A proxy in front of bol that answers the next `times` process-status
    reads with an error page instead of JSON."""

    def __init__(self, inner: httpx.AsyncBaseTransport, times: int):
        self.inner = inner
        self.times = times

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.url.path.startswith("/shared/process-status") and self.times > 0:
            self.times -= 1
            await response.aread()
            return httpx.Response(200, headers={"Content-Type": "text/html"}, content=b"<html>502 Bad Gateway</html>")
        return response


async def _create_offer(adapter: BolAdapter) -> str:
    body = {
        "ean": MUG["ean"],
        "condition": {"name": "NEW"},
        "pricing": {"bundlePrices": [{"quantity": 1, "unitPrice": 9.99}]},
        "stock": {"amount": 3, "managedByRetailer": True},
        "fulfilment": {"method": "FBR", "deliveryCode": "24uurs-16"},
    }
    response = await adapter.http.call("POST", "/retailer/offers", json=body, ok=(202,))
    return response.json()["processStatusId"]


async def test_an_unreadable_status_answer_fails_its_waiters_at_once_and_the_poller_keeps_serving(bol: SandboxedBol):
    proxy = GarbledProcessStatus(bol.transport, times=1)
    adapter = BolAdapter("bol", bol_channel(bol.url), transport=proxy, process_poll_interval=0.01)
    try:
        process_id = await _create_offer(adapter)
        with pytest.raises(ProcessStillPending, match="could not be read"):
            await asyncio.wait_for(adapter.tracker.wait(process_id, PATIENCE), timeout=5)
        # The same poller answers the next question about it.
        final = await asyncio.wait_for(adapter.tracker.wait(process_id, PATIENCE), timeout=5)
        assert final.status == "SUCCESS"
    finally:
        await adapter.aclose()


async def test_the_poller_learns_how_long_bol_takes_and_looks_about_once_per_process(bol: SandboxedBol):
    # bol (here the sandbox) finishes a process in 50 ms; the poller may look
    # as early as 10 ms after the 202, but should learn not to.
    adapter = BolAdapter("bol", bol_channel(bol.url), transport=bol.transport, process_poll_interval=0.01)
    try:
        for _ in range(10):
            await adapter.tracker.wait(await _create_offer(adapter), PATIENCE)
        looks_before = adapter.tracker.polls
        for _ in range(5):
            await asyncio.wait_for(adapter.tracker.wait(await _create_offer(adapter), PATIENCE), timeout=1)
        assert adapter.tracker.polls - looks_before <= 8
        assert 0.03 <= adapter.tracker.typical <= 0.2
    finally:
        await adapter.aclose()
