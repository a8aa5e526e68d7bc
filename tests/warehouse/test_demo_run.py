"""`ordertide run` as a user starts it: its warehouse simulator gets the
orders pushed and picks them over the warehouse endpoint, and the README's
curl example picks an order through the same endpoint, as written; orders
from the Kaufland sandbox go the same way and are sent there."""

import asyncio
import json
import os
import re
import signal
import sys
from pathlib import Path

import httpx

from tests.cli.test_start_check import free_port
from tests.support import eventually

README = Path(__file__).parents[2] / "README.md"


def readme_example(sandbox_port: int, warehouse_port: int) -> str:
    text = README.read_text()
    block = re.search(r"<!-- warehouse-example -->\n```sh\n(.*?)```\n<!-- /warehouse-example -->", text, re.S)
    assert block, "README: the warehouse example is gone"
    # The example is written for the default ports; this run has its own.
    return (
        block.group(1)
        .replace("localhost:8710", f"localhost:{sandbox_port}")
        .replace("localhost:8713", f"localhost:{warehouse_port}")
    )


async def test_the_demo_warehouse_picks_pushed_orders_and_the_readme_example_works(tmp_path):
    temporal, ui, codec, sandbox, warehouse, kaufland = (free_port() for _ in range(6))
    flags = ["--temporal-port", temporal, "--ui-port", ui, "--codec-port", codec, "--sandbox-port", sandbox]
    flags += ["--kaufland-sandbox-port", kaufland]
    run = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "starter.cli", "run", "--orders-per-minute", "30", "--warehouse-port", str(warehouse)),
        *(str(flag) for flag in flags),
        cwd=tmp_path,
        env={**os.environ, "ORDERTIDE_CONFIG": str(tmp_path / "none.toml"), "COLUMNS": "200"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert run.stdout is not None
    try:
        printed: list[str] = []
        while not printed or not printed[-1].lstrip().startswith("try"):
            raw = await asyncio.wait_for(run.stdout.readline(), 120)
            assert raw, f"ordertide run ended early: {printed}"
            printed.append(raw.decode().rstrip())
        assert any(f"127.0.0.1:{warehouse}/warehouse/orders" in line for line in printed), printed

        example = await asyncio.create_subprocess_exec(
            "bash",
            "-euo",
            "pipefail",
            "-c",
            readme_example(sandbox, warehouse),
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(example.communicate(), 60)
        assert example.returncode == 0, err.decode()
        assert '"result":"picked; shipping follows"' in out.decode(), out.decode()

        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{sandbox}") as http:

            async def shipped_by_both() -> set[str] | None:
                codes = {s["trackAndTrace"][:5] for s in (await http.get("/_sandbox/shipments")).json()}
                return codes if {"3SDEM", "3SSIM"} <= codes else None

            await eventually(shipped_by_both, timeout=90, interval=1)

        # The same catalogue sells on Kaufland: its orders are taken in, picked and sent there too.
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{kaufland}") as http:

            async def sent_on_kaufland() -> list | None:
                return (await http.get("/_sandbox/sends")).json() or None

            await eventually(sent_on_kaufland, timeout=90, interval=1)

        # Beside the run, the CLI sees both marketplaces.
        env = {
            **os.environ,
            "ORDERTIDE_CONFIG": str(tmp_path / "none.toml"),
            "TEMPORAL_ADDRESS": f"127.0.0.1:{temporal}",
        }
        health, orders = await asyncio.gather(
            *(
                asyncio.create_subprocess_exec(
                    *(sys.executable, "-m", "starter.cli", *command, "--json"),
                    cwd=tmp_path,
                    env=env,
                    stdout=asyncio.subprocess.PIPE,
                )
                for command in (["health"], ["orders", "list"])
            )
        )
        reported = [json.loads((await p.communicate())[0]) for p in (health, orders)]
        assert [h["channel"] for h in reported[0]] == ["bol", "kaufland"]
        assert {o["channel"] for o in reported[1]} == {"bol", "kaufland"}
    finally:
        run.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(run.wait(), 60) == 0
