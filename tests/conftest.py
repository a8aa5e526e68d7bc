"""Shared fixtures: Temporal environments (time-skipping and the real dev
server, both from local binaries — nothing is downloaded), the bol sandbox,
and an engine (store + adapters) wired to it."""

import contextlib
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.common import SearchAttributeIndexedValueType
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from domain.ids import offer_reconcile_workflow_id, offer_sync_workflow_id
from domain.names import SEARCH_ATTRIBUTES
from sandbox.bol.app import create_app
from sandbox.bol.config import BolSandboxConfig
from starter.bench.stack import free_port
from tests.offers.support import TwoChannels, sandbox
from tests.support import EngineFactory, SandboxedBol, SandboxedKaufland
from workers.devserver import embedded_server_args, temporal_binary
from workers.http import ServerHandle, serve_in_thread
from workers.temporal_client import data_converter

_INDEXED = {
    SearchAttributeIndexedValueType.KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    SearchAttributeIndexedValueType.BOOL: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
    SearchAttributeIndexedValueType.DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
}

# The SDK gives a server 5 s to come up; a loaded CI machine can need more.
SERVER_STARTUP = timedelta(seconds=60)


def _test_server_binary() -> str:
    beside = Path(sys.executable).parent / "temporal-test-server"
    return str(beside) if beside.exists() else (shutil.which("temporal-test-server") or "temporal-test-server")


async def _start_time_skipping() -> WorkflowEnvironment:
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=_test_server_binary(),
        data_converter=data_converter(),
        test_server_startup_timeout=SERVER_STARTUP,
    )
    await env.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=env.client.namespace,
            search_attributes={key.name: _INDEXED[key.indexed_value_type] for key in SEARCH_ATTRIBUTES},
        )
    )
    return env


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def time_env() -> AsyncIterator[WorkflowEnvironment]:
    """One time-skipping server per test module: what a module leaves running
    (an activity the server still counts as in flight) can stop it from
    skipping time, and a later module's test that only waits for time to pass
    would hang. A server starts in about a second."""
    env = await _start_time_skipping()
    yield env
    await env.shutdown()


@pytest_asyncio.fixture
async def own_time_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server of the test's own: what earlier tests leave
    running on the shared one (an activity it still counts as in flight) can
    stop it from skipping time, and a test that only waits for time to pass
    would hang."""
    env = await _start_time_skipping()
    yield env
    await env.shutdown()


@pytest.fixture(scope="session")
def dev_metrics_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def dev_metrics_url(dev_metrics_port: int) -> str:
    """The shared dev server's request counters: the heartbeats and queries it received."""
    return f"http://127.0.0.1:{dev_metrics_port}/metrics"


@pytest_asyncio.fixture(scope="session")
async def dev_env(dev_metrics_port: int) -> AsyncIterator[WorkflowEnvironment]:
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary(),
        data_converter=data_converter(),
        ui=False,
        dev_server_startup_timeout=SERVER_STARTUP,
        dev_server_extra_args=[
            *embedded_server_args(),
            *("--metrics-port", str(dev_metrics_port)),
        ],
    )
    yield env
    await env.shutdown()


@pytest.fixture
def task_queue() -> str:
    return f"tq-{uuid.uuid4()}"


@pytest.fixture
def bol() -> SandboxedBol:
    """A fresh bol sandbox, reached in-process (no sockets, no flakiness)."""
    return SandboxedBol.start(process_delay_seconds=0.05)


@pytest.fixture
def kaufland() -> SandboxedKaufland:
    """A fresh Kaufland sandbox, reached in-process."""
    return SandboxedKaufland.start()


@pytest.fixture
def engines(tmp_path: Path, bol: SandboxedBol, kaufland: SandboxedKaufland) -> EngineFactory:
    return EngineFactory(tmp_path, bol, kaufland)


@pytest.fixture
def http_transport(bol: SandboxedBol) -> httpx.AsyncBaseTransport:
    return bol.transport


@pytest.fixture
def bol_server() -> Iterator[ServerHandle]:
    """The bol sandbox over real HTTP, for tests that need sockets."""
    server = serve_in_thread(create_app(BolSandboxConfig(process_delay_seconds=0.2)))
    yield server
    server.stop()


@pytest.fixture
async def two_channels(dev_env) -> AsyncIterator[TwoChannels]:
    yield TwoChannels(sandbox("http://bol-a.sandbox"), sandbox("http://bol-b.sandbox"))
    # One offer sync per channel, as in production: end this test's, whose
    # task queue dies with the test, so the next test starts its own.
    for channel in ("bol", "bol2"):
        for workflow_id in (offer_sync_workflow_id(channel), offer_reconcile_workflow_id(channel)):
            with contextlib.suppress(RPCError):  # not started, or already over
                await dev_env.client.get_workflow_handle(workflow_id).terminate("test over")
