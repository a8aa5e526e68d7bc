"""The `ordertide` command line, run as a user runs it, against the dev server."""

import asyncio
import json
import os
import sys

from domain.order.status import OrderStatus
from tests.workflows.helpers import MUG, place_and_start, wait_for


async def ordertide(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "starter.cli",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    out, err = await process.communicate()
    code = await process.wait()  # it has exited: this reads its code, typed as int
    return code, out.decode(), err.decode()


def cli_env(dev_env, tmp_path) -> dict[str, str]:
    return {
        **os.environ,
        "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
        "ORDERTIDE_DATA_DIR": str(tmp_path),  # no codec keys from a developer's `make run`
        "COLUMNS": "200",
    }


async def test_ops_steer_an_order_from_the_command_line(dev_env, engines, bol, task_queue, tmp_path):
    env = cli_env(dev_env, tmp_path)
    engine = engines.build(task_queue)
    async with engine.worker(dev_env.client):
        order, handle = await place_and_start(dev_env.client, bol, task_queue, [{**MUG, "quantity": 1}])
        await wait_for(handle, OrderStatus.AWAITING_PICK)
        order_id = order["orderId"]

        code, out, _ = await ordertide("order", "show", order_id, "--json", env=env)
        assert code == 0 and json.loads(out)["status"] == "AWAITING_PICK"

        code, out, err = await ordertide("order", "pick", f"bol:{order_id}", "--tracking", "3SBOL0000077", env=env)
        assert code == 0, err
        await wait_for(handle, OrderStatus.SHIPPED)

        code, out, err = await ordertide("order", "pick", order_id, env=env)
        assert code == 1
        assert err.strip().splitlines() == ["error: rejected: order is SHIPPED: no open lines left to pick"]

        # The carrier relabelled the parcel: its tracking corrected after shipping.
        code, out, err = await ordertide("order", "tracking", order_id, "3SBOL0000078", env=env)
        assert code == 0, err
        assert "3SBOL0000078 sent" in out
        assert [s["trackAndTrace"] for s in await bol.get("/_sandbox/shipments")] == ["3SBOL0000078"]

        async def listed() -> list[dict]:
            _, out, _ = await ordertide("orders", "list", "--status", "SHIPPED", "--json", env=env)
            rows = [row for row in json.loads(out) if row["marketplace_order_id"] == order_id]
            return rows

        for _ in range(50):  # visibility is eventually consistent
            rows = await listed()
            if rows:
                break
            await asyncio.sleep(0.2)
        assert rows[0]["workflow_id"] == f"order:bol:{order_id}"
        assert rows[0]["channel"] == "bol" and rows[0]["status"] == "SHIPPED" and rows[0]["needs_attention"] is False


async def test_errors_are_one_line_and_a_non_zero_exit(dev_env, tmp_path):
    env = cli_env(dev_env, tmp_path)
    code, out, err = await ordertide("order", "show", "0000000000", env=env)
    assert code == 1 and out == ""
    assert err.strip().splitlines() == [
        "error: no order order:bol:0000000000: workflow not found for ID: order:bol:0000000000"
    ]

    code, _, err = await ordertide("orders", "list", env={**env, "TEMPORAL_ADDRESS": "127.0.0.1:1"})
    assert code == 1
    assert err.strip().splitlines() == [
        "error: Temporal is not reachable; start it with `ordertide run` or set TEMPORAL_ADDRESS"
    ]
