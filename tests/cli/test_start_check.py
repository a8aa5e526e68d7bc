"""`ordertide worker` tries every channel's credentials at start: a channel
bol refuses is named and left out, and the others run."""

import asyncio
import contextlib
import os
import signal
import socket
import sys
import uuid

import httpx
from temporalio.service import RPCError

from domain.ids import intake_workflow_id, order_workflow_id
from tests.support import eventually
from tests.workflows.helpers import MUG
from workers.http import ServerHandle


async def first_channel_line(stream: asyncio.StreamReader) -> str:
    """The first line about a channel, past any log lines before it."""
    while True:
        raw = await asyncio.wait_for(stream.readline(), 30)
        assert raw, "the process ended without a word about its channels"
        if raw.startswith(b"channel "):
            return raw.decode().strip()


def two_channels(bol_server: ServerHandle, good: str, bad: str) -> str:
    def table(name: str, secret: str) -> str:
        return (
            f'[channels.{name}]\nclient_id = "sandbox"\nclient_secret = "{secret}"\n'
            f'api_base_url = "{bol_server.url}"\ntoken_url = "{bol_server.url}/token"\npoll_interval = "PT1S"\n'
        )

    return table(good, "sandbox") + table(bad, "not-the-secret")


async def test_the_worker_refuses_a_channel_with_a_wrong_secret_and_runs_the_good_one(
    dev_env, bol_server, task_queue, tmp_path
):
    suffix = uuid.uuid4().hex[:6]
    good, bad = f"shop-{suffix}", f"typo-{suffix}"
    config = tmp_path / "ordertide.toml"
    config.write_text(two_channels(bol_server, good, bad))
    env = {
        **os.environ,
        "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
        "ORDERTIDE_CONFIG": str(config),
        "ORDERTIDE_DATA_DIR": str(tmp_path),
        "ORDERTIDE_TASK_QUEUE": task_queue,
        "COLUMNS": "200",
    }
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "starter.cli", "worker", env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        assert worker.stderr is not None
        line = await first_channel_line(worker.stderr)
        assert line == f"channel {bad}: bol rejected the credentials: Bad client credentials; not started"

        async with httpx.AsyncClient(base_url=bol_server.url) as http:
            placed = await http.post("/_sandbox/orders", json={"items": [{**MUG, "quantity": 1}]})
        order_id = placed.json()["orderId"]

        async def order_started() -> bool:
            with contextlib.suppress(RPCError):
                await dev_env.client.get_workflow_handle(order_workflow_id(good, order_id)).describe()
                return True
            return False

        await eventually(order_started, timeout=60)
        try:
            await dev_env.client.get_workflow_handle(intake_workflow_id(bad)).describe()
            raise AssertionError(f"intake started for the refused channel {bad}")
        except RPCError:
            pass
    finally:
        worker.terminate()
        await worker.wait()
        with contextlib.suppress(RPCError):
            await dev_env.client.get_workflow_handle(intake_workflow_id(good)).terminate("test over")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_run_with_real_credentials_starts_no_sandbox_and_leaves_out_a_refused_channel(bol_server, tmp_path):
    suffix = uuid.uuid4().hex[:6]
    good, bad = f"shop-{suffix}", f"typo-{suffix}"
    config = tmp_path / "ordertide.toml"
    config.write_text(two_channels(bol_server, good, bad))
    ports = [str(free_port()) for _ in range(4)]
    flags = ["--temporal-port", ports[0], "--ui-port", ports[1], "--codec-port", ports[2], "--sandbox-port", ports[3]]
    run = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "starter.cli", "run", "--data-dir", str(tmp_path / "data"), *flags),
        env={**os.environ, "ORDERTIDE_CONFIG": str(config), "COLUMNS": "200"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert run.stdout is not None and run.stderr is not None
    try:
        refused = await first_channel_line(run.stderr)
        assert refused == f"channel {bad}: bol rejected the credentials: Bad client credentials; not started"
        printed: list[str] = []
        while not printed or not printed[-1].lstrip().startswith("try"):
            raw = await asyncio.wait_for(run.stdout.readline(), 120)
            assert raw, f"ordertide run ended early: {printed}"
            printed.append(raw.decode().rstrip())
        assert any(line.split() == ["channels", good] for line in printed), printed
        assert not any("sandbox" in line or "simulator" in line for line in printed), printed
    finally:
        run.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(run.wait(), 60) == 0


async def test_run_with_a_secret_missing_from_the_environment_stops_instead_of_falling_back_to_the_sandbox(
    bol_server, tmp_path
):
    config = tmp_path / "ordertide.toml"
    config.write_text(
        f'[channels.bol-nl]\nclient_id = "sandbox"\nclient_secret_env = "ORDERTIDE_TEST_UNSET_SECRET"\n'
        f'api_base_url = "{bol_server.url}"\ntoken_url = "{bol_server.url}/token"\n'
    )
    run = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "starter.cli", "run", "--data-dir", str(tmp_path / "data")),
        *("--temporal-port", str(free_port()), "--sandbox-port", str(free_port())),
        env={**os.environ, "ORDERTIDE_CONFIG": str(config), "COLUMNS": "200"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(run.communicate(), 60)

    assert run.returncode == 1 and out == b""
    assert err.decode().strip().splitlines() == [
        "channel bol-nl: no client secret: environment variable ORDERTIDE_TEST_UNSET_SECRET is not set; not started",
        "error: no channel passed its credentials check; fix them (`ordertide init --force`) and start again",
    ]
