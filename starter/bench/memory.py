"""`ordertide bench memory`: the worker's memory with many orders parked in
their return window. A parked order waits on a durable timer; it costs worker
memory only while it sits in the workflow cache, so memory must stay flat
however many orders wait. RSS is sampled as the count grows."""

import asyncio
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from pydantic import BaseModel
from temporalio.client import Client

from activities.store import Database, InventoryStore
from starter.bench.order_desk import OrderDesk
from starter.bench.stack import (
    _start_sandbox,
    _wait_until_serving,
    catalog,
    free_port,
    rss_mb,
)
from starter.bench.throughput import _spawn, _stop, _wait_count
from starter.run_cmd import sandbox_channel
from starter.simulators import WarehouseSimulator
from workers.devserver import DevServer
from workers.settings import Settings, WorkerTuning, settings_env
from workers.temporal_client import data_converter
from workers.worker import Engine


class MemorySample(BaseModel):
    parked: int
    rss_mb: float


class MemoryResult(BaseModel):
    orders: int
    rss_mb: float
    max_cached_workflows: int
    samples: list[MemorySample]
    growth_mb_per_1000_after_cache: float


async def run(orders: int = 10_000, steps: int = 4, cache: int = 1000, workdir: Path | None = None) -> MemoryResult:
    owned = workdir is None  # removed after a successful run; a failed one keeps its logs
    workdir = workdir or Path(tempfile.mkdtemp(prefix="ordertide-memory-"))
    server = DevServer(
        workdir / "temporal.db", port=free_port(), headless=True, log_file=workdir / "temporal.log"
    ).start()
    sandbox = _start_sandbox(workdir, "bol", 0.02)
    worker = None
    samples: list[MemorySample] = []
    try:
        await _wait_until_serving(sandbox.url)
        client = await Client.connect(server.address, data_converter=data_converter())
        settings = Settings(
            data_dir=workdir,
            database_url=f"sqlite:///{workdir / 'store.db'}",
            channels={
                "bol": sandbox_channel(sandbox.url, None).model_copy(
                    update={"poll_interval": timedelta(seconds=10), "offer_sync": False}
                )
            },
            worker=WorkerTuning(max_cached_workflows=cache),
        )
        db = Database(settings.store_url)
        db.create_schema()
        inventory = InventoryStore(db)
        products = catalog(10)
        for product in products:
            inventory.upsert_product(product)
            inventory.set_stock(product.sku, 10**9)
        worker = _spawn(
            ["-m", "starter.cli", "worker"],
            {"TEMPORAL_ADDRESS": server.address, **settings_env(settings)},
            workdir / "worker.log",
        )
        stop = asyncio.Event()
        warehouse = asyncio.create_task(
            WarehouseSimulator(client, inventory, pick_delay=timedelta(0)).run(stop, every=0.5)
        )
        parked = 0
        receiver = Engine.build(settings)
        desk = OrderDesk.for_engine(sandbox, receiver, client)
        try:
            for _ in range(steps):
                batch = orders // steps
                for n in range(batch):
                    await desk.place(products[n % len(products)])
                parked += batch
                await _wait_count(client, "WorkflowType = 'OrderWorkflow' AND OrderStatus = 'SHIPPED'", parked, 3600)
                await asyncio.sleep(5)  # let the worker settle before reading its memory
                samples.append(MemorySample(parked=parked, rss_mb=round(rss_mb(worker.pid), 1)))
        finally:
            await desk.aclose()
            await receiver.aclose()
            await sandbox.aclose()
        stop.set()
        await warehouse
        db.dispose()
    finally:
        if worker is not None:
            _stop(worker)
        sandbox.process.terminate()
        sandbox.process.wait()
        server.stop()
    if owned:
        shutil.rmtree(workdir, ignore_errors=True)
    after_cache = [s for s in samples if s.parked >= cache] or samples
    growth = 0.0
    if len(after_cache) >= 2:
        first, last = after_cache[0], after_cache[-1]
        growth = (last.rss_mb - first.rss_mb) / max(1, (last.parked - first.parked) / 1000)
    return MemoryResult(
        orders=parked,
        rss_mb=samples[-1].rss_mb,
        max_cached_workflows=cache,
        samples=samples,
        growth_mb_per_1000_after_cache=round(growth, 1),
    )
