"""Reading encrypted orders as ops do: `ordertide codec-server` and the stock
`temporal` CLI with `--codec-endpoint` and `--codec-auth`, as the README says."""

import asyncio
import base64
import json
import os
import socket
import sys
import uuid
from pathlib import Path

import httpx
from temporalio.client import Client

from domain.channels import Marketplace
from domain.order.messages import OrderWorkflowInput
from workers.codec import CodecKeys
from workers.devserver import port_is_open, temporal_binary
from workers.temporal_client import data_converter
from workflows.order import OrderWorkflow

TOKEN = "codec-token-" + uuid.uuid4().hex


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_ops_decode_with_the_stock_temporal_cli_and_the_token_never_reaches_a_log_or_ps(dev_env, tmp_path: Path):
    address = dev_env.client.service_client.config.target_host
    keys = CodecKeys.generate()
    keys.save(tmp_path / "codec-keys.json")
    encrypted = await Client.connect(address, data_converter=data_converter(keys))
    workflow_id = f"order:bol:codec-{uuid.uuid4().hex[:8]}"
    handle = await encrypted.start_workflow(
        OrderWorkflow.run,
        OrderWorkflowInput(channel="bol", marketplace=Marketplace.BOL, marketplace_order_id="4711000042"),
        id=workflow_id,
        task_queue=f"no-worker-{uuid.uuid4()}",  # nothing runs it: its stored input is what ops read
    )
    port = free_port()
    env = {
        **os.environ,
        "ORDERTIDE_DATA_DIR": str(tmp_path),
        "ORDERTIDE_CODEC_KEY_FILE": str(tmp_path / "codec-keys.json"),
        "ORDERTIDE_CODEC_TOKEN": TOKEN,
    }
    server = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "starter.cli", "codec-server", "--port", str(port)),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
    )
    try:
        for _ in range(100):
            if port_is_open("127.0.0.1", port):
                break
            await asyncio.sleep(0.1)
        command_line = await asyncio.to_thread(Path(f"/proc/{server.pid}/cmdline").read_bytes)
        assert TOKEN.encode() not in command_line

        endpoint = f"http://127.0.0.1:{port}"
        # As the README shows it: --codec-auth, or TEMPORAL_CODEC_AUTH to keep the token out of ps.
        for auth_flag, auth_env in (
            (["--codec-auth", f"Bearer {TOKEN}"], {}),
            ([], {"TEMPORAL_CODEC_AUTH": f"Bearer {TOKEN}"}),
        ):
            show = await asyncio.create_subprocess_exec(
                *(temporal_binary(), "workflow", "show", "-w", workflow_id, "--address", address, "-o", "json"),
                *("--codec-endpoint", endpoint, *auth_flag),
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env={**os.environ, **auth_env},
            )
            out, err = await show.communicate()
            assert show.returncode == 0, err.decode()
            started = json.loads(out)["events"][0]["workflowExecutionStartedEventAttributes"]
            [stored_input] = started["input"]["payloads"]
            assert base64.b64decode(stored_input["metadata"]["encoding"]) == b"json/plain"
            assert b'"marketplace_order_id":"4711000042"' in base64.b64decode(stored_input["data"])

        async with httpx.AsyncClient(base_url=endpoint) as http:
            # Old bookmarks and scripts still put the token in the path.
            refused = await http.post(f"/t/{TOKEN}/decode", content=b'{"payloads": []}')
            assert refused.status_code in (401, 404)
            wrong = await http.post("/decode", content=b'{"payloads": []}', headers={"Authorization": "Bearer x"})
            assert wrong.status_code == 401
    finally:
        server.terminate()
        logged, _ = await server.communicate()
        await handle.terminate()
    assert b"decode" in logged  # it logs its requests…
    assert TOKEN.encode() not in logged  # …but never the token
