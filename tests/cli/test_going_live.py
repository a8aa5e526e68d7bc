"""The README's "Going live", command by command, against the bol sandbox
over real HTTP and the dev server: init with the secret in the environment,
the worker, an order seen in `orders list`, picked, shipped and confirmed
by bol, and nothing left in `orders stuck`."""

import asyncio
import contextlib
import json
import os
import sys
import uuid

import httpx
from temporalio.service import RPCError

from domain.ids import intake_workflow_id, offer_sync_workflow_id
from tests.cli.test_cli import ordertide
from tests.support import eventually
from tests.workflows.helpers import MUG
from workers.http import ServerHandle


async def test_from_init_to_the_first_order_shipped(dev_env, bol_server: ServerHandle, task_queue, tmp_path):
    channel = f"bol-{uuid.uuid4().hex[:6]}"
    env = {
        **os.environ,
        "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
        "ORDERTIDE_CONFIG": str(tmp_path / "ordertide.toml"),
        "ORDERTIDE_DATA_DIR": str(tmp_path),
        "ORDERTIDE_TASK_QUEUE": task_queue,
        "BOL_SECRET": "sandbox",
        "COLUMNS": "200",
    }
    code, out, err = await ordertide(
        *("init", "--channel", channel, "--client-id", "sandbox", "--client-secret-env", "BOL_SECRET"),
        *("--retailer-id", "1234567", "--api-base-url", bol_server.url, "--token-url", f"{bol_server.url}/token"),
        env=env,
    )
    assert code == 0, err
    assert f"channel {channel}: credentials accepted" in out

    catalog = tmp_path / "catalog.csv"
    catalog.write_text(
        "sku,ean,title,condition,cost_price,list_price,on_hand\n"
        f'MUG-BLUE,{MUG["ean"]},{MUG["title"]},NEW,4.10,"12,95",5\n'
    )
    code, out, err = await ordertide("catalog", "import", str(catalog), env=env)
    assert code == 0, err

    async with httpx.AsyncClient(base_url=bol_server.url) as http:
        placed = await http.post("/_sandbox/orders", json={"items": [{**MUG, "quantity": 1}]})
    order_id = placed.json()["orderId"]

    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "starter.cli", "worker", env=env, stderr=asyncio.subprocess.PIPE
    )
    try:

        async def listed() -> list[dict]:
            _, out, _ = await ordertide("orders", "list", "--channel", channel, "--json", env=env)
            rows = json.loads(out) if out.strip() else []
            return [r for r in rows if r["marketplace_order_id"] == order_id and r["status"] == "AWAITING_PICK"]

        await eventually(listed, timeout=90, interval=0.5)

        code, _, err = await ordertide("order", "pick", f"{channel}:{order_id}", "--tracking", "3SBOL0000077", env=env)
        assert code == 0, err

        async def shipped() -> bool:
            _, out, _ = await ordertide("order", "show", f"{channel}:{order_id}", "--json", env=env)
            return bool(out.strip()) and json.loads(out)["status"] == "SHIPPED"

        await eventually(shipped, timeout=90, interval=0.5)
        code, out, err = await ordertide("orders", "stuck", "--json", env=env)
        assert code == 0, err
        assert not [s for s in json.loads(out) if s["marketplace_order_id"] == order_id]
    finally:
        worker.terminate()
        await asyncio.wait_for(worker.wait(), 60)
        for workflow_id in (intake_workflow_id(channel), offer_sync_workflow_id(channel)):
            with contextlib.suppress(RPCError):  # not started, or already over
                await dev_env.client.get_workflow_handle(workflow_id).terminate("test over")
