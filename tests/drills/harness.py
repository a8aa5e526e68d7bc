"""A small production in a temp dir: its own Temporal dev server (SQLite file,
so it can be restarted), one marketplace's sandbox over HTTP (bol.com or
Kaufland, tests/drills/markets.py), and the worker as a separate process (so
it can be killed), plus a warehouse that picks."""

import asyncio
import collections
import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from temporalio.client import Client

from activities.store import Database, InventoryStore
from domain.ids import order_workflow_id
from starter import orders_api
from starter.bench.stack import free_port
from starter.demo_catalog import seed_demo_catalog
from starter.simulators import WarehouseSimulator
from tests.drills.markets import MARKETS, Market
from tests.support import eventually
from workers.devserver import DevServer
from workers.http import ServerHandle, serve_in_thread
from workers.temporal_client import data_converter

REPO = Path(__file__).resolve().parents[2]


class Drill:
    def __init__(
        self,
        tmp: Path,
        sandbox: Any = None,
        return_window: timedelta = timedelta(seconds=1),
        marketplace: str = "bol",
        channel_settings: dict[str, str] | None = None,
    ):
        """`sandbox`: the marketplace sandbox's config (its default when None);
        `channel_settings`: the channel's settings over the drill's, by
        environment name (REQUESTS_PER_SECOND...)."""
        self.channel_settings = channel_settings or {}
        self.tmp = tmp
        self.market: Market = MARKETS[marketplace]
        self.server = DevServer(tmp / "temporal.db", port=free_port(), headless=True, log_file=tmp / "temporal.log")
        self.sandbox: ServerHandle = serve_in_thread(self.market.app(sandbox))
        self.store_url = f"sqlite:///{tmp / 'store.db'}"
        self.return_window = return_window
        self.worker: subprocess.Popen[bytes] | None = None
        self.client: Client | None = None
        self._warehouse: asyncio.Task[None] | None = None
        self._stop_warehouse = asyncio.Event()
        self.db = Database(self.store_url)
        self.db.create_schema()
        self.inventory = InventoryStore(self.db)
        seed_demo_catalog(self.inventory, on_hand=100_000)

    @property
    def channel(self) -> str:
        return self.market.name

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": str(REPO),
            "TEMPORAL_ADDRESS": self.server.address,
            "ORDERTIDE_DATA_DIR": str(self.tmp),
            "ORDERTIDE_DATABASE_URL": self.store_url,
            "ORDERTIDE_TASK_QUEUE": "drill",
            **self.market.channel_env(self.sandbox.url, self.return_window),
            **{f"ORDERTIDE_CHANNELS__{self.channel.upper()}__{k}": v for k, v in self.channel_settings.items()},
        }

    async def start(self, picking: bool = True) -> Client:
        """`picking=False` holds the warehouse back until start_picking(), so
        a drill can be sure its orders wait for pick when its fault begins."""
        self.server.start()
        self.start_worker()
        self.client = await Client.connect(self.server.address, data_converter=data_converter())
        if picking:
            self.start_picking()
        return self.client

    def start_picking(self) -> None:
        assert self.client is not None and self._warehouse is None
        self._warehouse = asyncio.create_task(
            WarehouseSimulator(self.client, self.inventory, pick_delay=timedelta(0)).run(
                self._stop_warehouse, every=0.5
            )
        )

    def start_worker(self) -> None:
        log = open(self.tmp / "worker.log", "ab")  # noqa: SIM115 - the process owns it
        self.worker = subprocess.Popen(
            [sys.executable, "-m", "starter.cli", "worker"], env=self.env(), stdout=log, stderr=log, cwd=self.tmp
        )

    def kill_worker(self) -> None:
        assert self.worker is not None
        self.worker.send_signal(signal.SIGKILL)
        self.worker.wait()

    def restart_server(self) -> None:
        self.server.stop()
        self.server.start()

    async def place_orders(self, count: int) -> list[dict[str, Any]]:
        """One item each, 1 to 3 pieces."""
        async with httpx.AsyncClient(base_url=self.sandbox.url) as http:
            return [await self.market.place_order(http, n) for n in range(count)]

    def workflow_id(self, order: dict[str, Any]) -> str:
        return order_workflow_id(self.channel, self.market.order_id(order))

    async def statuses(self, orders: list[dict[str, Any]]) -> collections.Counter[str]:
        assert self.client is not None
        wanted = {self.workflow_id(o) for o in orders}
        found = await orders_api.list_orders(self.client, orders_api.list_query(channel=self.channel))
        counts = collections.Counter(o.status for o in found if o.workflow_id in wanted)
        counts["MISSING"] = len(wanted - {o.workflow_id for o in found})
        return counts

    async def wait_for(
        self, orders: list[dict[str, Any]], status: str, at_least: int | None = None, timeout: float = 180
    ) -> None:
        needed = len(orders) if at_least is None else at_least

        async def reached() -> bool:
            counts = await self.statuses(orders)
            done = sum(counts[s] for s in _AT_OR_BEYOND[status])
            return done >= needed

        await eventually(reached, timeout=timeout, interval=0.5)

    async def sandbox_json(self, path: str) -> Any:
        async with httpx.AsyncClient(base_url=self.sandbox.url) as http:
            return (await http.get(path)).json()

    async def add_fault(self, **fault: Any) -> None:
        async with httpx.AsyncClient(base_url=self.sandbox.url) as http:
            (await http.post("/_sandbox/faults", json=fault)).raise_for_status()

    async def held_request(self, timeout: float = 120) -> dict[str, Any]:
        """The first request a hold fault keeps waiting for its answer."""
        held: list[dict[str, Any]] = []

        async def holding() -> bool:
            held[:] = await self.sandbox_json("/_sandbox/holds")
            return bool(held)

        await eventually(holding, timeout=timeout, interval=0.05)
        return held[0]

    async def release_holds(self) -> None:
        async with httpx.AsyncClient(base_url=self.sandbox.url) as http:
            await self.market.release_holds(http)

    async def assert_each_shipped_once(self, orders: list[dict[str, Any]]) -> None:
        """The marketplace saw every piece shipped exactly once (and, on
        Kaufland, no unit cancelled twice)."""
        async with httpx.AsyncClient(base_url=self.sandbox.url) as http:
            await self.market.assert_each_shipped_once(http, orders)

    async def activity_attempts(self, workflow_id: str, activity_type: str) -> list[int]:
        """The attempt each finished (or failed) run of the activity ended on."""
        assert self.client is not None
        history = await self.client.get_workflow_handle(workflow_id).fetch_history()
        scheduled = {
            event.event_id
            for event in history.events
            if event.HasField("activity_task_scheduled_event_attributes")
            and event.activity_task_scheduled_event_attributes.activity_type.name == activity_type
        }
        return [
            event.activity_task_started_event_attributes.attempt
            for event in history.events
            if event.HasField("activity_task_started_event_attributes")
            and event.activity_task_started_event_attributes.scheduled_event_id in scheduled
        ]

    async def close(self) -> None:
        self._stop_warehouse.set()
        if self._warehouse is not None:
            await asyncio.gather(self._warehouse, return_exceptions=True)
        if self.worker is not None and self.worker.poll() is None:
            self.worker.terminate()
            try:
                self.worker.wait(15)
            except subprocess.TimeoutExpired:
                self.worker.kill()
        self.sandbox.stop()
        self.server.stop()
        self.db.dispose()


_AT_OR_BEYOND = {
    "AWAITING_PICK": ("AWAITING_PICK", "SHIPPING", "SHIPPED", "RETURN_OPEN", "CLOSED"),
    "SHIPPED": ("SHIPPED", "RETURN_OPEN", "CLOSED"),
    "CLOSED": ("CLOSED",),
}
