"""What every benchmark runs on: the embedded Temporal dev server (fresh, in
a temp dir), bol sandboxes in processes of their own (so they do not share
the worker's interpreter), and a store; the engine's worker runs in the
benchmark process, where its CPU time can be measured."""

import asyncio
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from stdnum import ean as ean_check
from temporalio.client import Client

from domain.catalog import Product
from domain.config import ChannelConfig, PlazaConfig
from starter.run_cmd import kaufland_sandbox_channel, sandbox_channel
from workers.devserver import DevServer
from workers.settings import Settings
from workers.temporal_client import data_converter
from workers.worker import Engine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU time of a process (this one by default)."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def metered_server(workdir: Path, extra_args: list[str] | None = None) -> DevServer:
    """The embedded dev server as `ordertide run` runs it, headless, logging
    to the workdir and serving its Prometheus metrics (the benchmarks read
    its request counters); started. `extra_args`: more of the CLI's options."""
    return DevServer(
        workdir / "temporal.db",
        port=free_port(),
        headless=True,
        log_file=workdir / "temporal.log",
        metrics_port=free_port(),
        extra_args=extra_args,
    ).start()


def rss_mb(pid: int | None = None) -> float:
    status = Path(f"/proc/{pid or 'self'}/status").read_text()
    kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    return kb / 1024


def catalog(count: int) -> list[Product]:
    """`count` products with valid EANs and prices."""
    products = []
    for n in range(count):
        base = f"20{n:010d}"
        products.append(
            Product(
                sku=f"SKU-{n:05d}",
                ean=base + ean_check.calc_check_digit(base),
                title=f"Benchmark product {n}",
                cost_price=Decimal("4.00"),
                list_price=Decimal("12.95") + Decimal(n % 50),
            )
        )
    return products


@dataclass
class Sandbox:
    process: subprocess.Popen[bytes]
    url: str
    # One client for the whole run: a new one per call costs an SSL context,
    # CPU the benchmark would steal from the worker it measures.
    _http: httpx.AsyncClient | None = None

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(base_url=self.url, timeout=120)
        return self._http

    async def get(self, path: str) -> Any:
        response = await self.http.get(path)
        response.raise_for_status()
        return response.json()

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        response = await self.http.post(path, json=body)
        response.raise_for_status()
        return response.json() if response.content else None

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()


@dataclass
class BenchStack:
    workdir: Path
    server: DevServer
    sandboxes: dict[str, Sandbox]
    engine: Engine
    client: Client
    settings: Settings
    _exit: AsyncExitStack = field(default_factory=AsyncExitStack)

    @classmethod
    async def start(
        cls,
        channels: list[str],
        *,
        process_delay: float = 0.05,
        poll_interval: timedelta = timedelta(milliseconds=250),
        offer_sync: bool = True,
        window: timedelta = timedelta(milliseconds=250),
        return_window: timedelta | None = None,
        workdir: Path | None = None,
        in_memory_server: bool = False,
        kaufland: tuple[str, ...] = (),
        plaza: tuple[str, ...] = (),
    ) -> "BenchStack":
        """`channels` on bol sandboxes, `kaufland` on Kaufland sandboxes (each its own process).
        A `plaza` channel is a bol channel (orders on a bol sandbox) whose
        offers go over the Plaza XML upsert, to a Plaza sandbox of its own
        kept in `sandboxes` as `plaza_sandbox(name)`."""
        workdir = workdir or Path(tempfile.mkdtemp(prefix="ordertide-bench-"))
        server = DevServer(
            None if in_memory_server else workdir / "temporal.db",
            port=free_port(),
            headless=True,
            log_file=workdir / "temporal.log",
            metrics_port=free_port(),
        ).start()
        sandboxes = {name: _start_sandbox(workdir, name, process_delay) for name in channels}
        plaza_boxes = {plaza_sandbox(name) for name in plaza}
        try:
            sandboxes |= {name: _start_sandbox(workdir, name, process_delay, "kaufland") for name in kaufland}
            sandboxes |= {name: _start_sandbox(workdir, name, process_delay) for name in plaza}
            sandboxes |= {plaza_sandbox(name): _start_sandbox(workdir, name, process_delay, "plaza") for name in plaza}
            configs: dict[str, ChannelConfig] = {}
            for name, box in sandboxes.items():
                await _wait_until_serving(box.url, "/_sandbox/offers" if name in plaza_boxes else "/_sandbox/config")
            for name, box in sandboxes.items():
                if name in plaza_boxes:
                    continue
                config = (
                    kaufland_sandbox_channel(box.url, return_window)
                    if name in kaufland
                    else sandbox_channel(box.url, return_window)
                )
                if name in plaza:
                    xml = PlazaConfig(
                        base_url=sandboxes[plaza_sandbox(name)].url,
                        public_key="sandbox",
                        private_key=SecretStr("sandbox"),
                    )
                    config = config.model_copy(update={"offer_transport": "plaza", "plaza": xml})
                configs[name] = config.model_copy(
                    update={"poll_interval": poll_interval, "offer_sync": offer_sync, "offer_sync_window": window}
                )
            settings = Settings(data_dir=workdir, database_url=f"sqlite:///{workdir / 'store.db'}", channels=configs)
            engine = Engine.build(settings)
            client = await Client.connect(server.address, data_converter=data_converter())
        except BaseException:
            # Nothing may outlive a benchmark that could not start.
            for box in sandboxes.values():
                box.process.terminate()
                box.process.wait()
            server.stop()
            raise
        return cls(workdir, server, sandboxes, engine, client, settings)

    async def close(self, keep: bool = False) -> None:
        await self._exit.aclose()
        await self.engine.aclose()
        for box in self.sandboxes.values():
            await box.aclose()
            box.process.terminate()
            box.process.wait()
        self.server.stop()
        if not keep:
            shutil.rmtree(self.workdir, ignore_errors=True)


def plaza_sandbox(channel: str) -> str:
    """The key of a Plaza channel's XML offer sandbox in `BenchStack.sandboxes`."""
    return f"{channel}:plaza-xml"


def _start_sandbox(workdir: Path, name: str, process_delay: float, marketplace: str = "bol") -> Sandbox:
    port = free_port()
    log = open(workdir / f"sandbox-{name}-{marketplace}.log", "ab")  # noqa: SIM115 - owned by the process
    # Kaufland's writes are synchronous: no process delay to set.
    delay = ["--process-delay", str(process_delay)] if marketplace == "bol" else []
    process = subprocess.Popen(
        [sys.executable, "-m", "starter.cli", "sandbox", marketplace, "--port", str(port), *delay],
        stdout=log,
        stderr=log,
    )
    return Sandbox(process, f"http://127.0.0.1:{port}")


async def _wait_until_serving(url: str, probe: str = "/_sandbox/config", timeout: float = 120) -> None:
    # Generous: on a busy machine a Python process takes a while to import.
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient(base_url=url) as http:
        while True:
            try:
                await http.get(probe)
                return
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)
