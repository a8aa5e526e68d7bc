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
from temporalio.client import Client

from tests.cli.test_start_check import free_port
from tests.support import eventually

README = Path(__file__).parents[2] / "README.md"


def readme_block(name: str) -> str:
    block = re.search(rf"<!-- {name} -->\n```sh\n(.*?)```\n<!-- /{name} -->", README.read_text(), re.S)
    assert block, f"README: the {name} is gone"
    return block.group(1)


async def run_example(script: str, cwd: Path) -> str:
    example = await asyncio.create_subprocess_exec(
        *("bash", "-euo", "pipefail", "-c", script),
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(example.communicate(), 60)
    assert example.returncode == 0, err.decode()
    return out.decode()


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
    temporal, ui, codec, sandbox, warehouse, portal, receiver, sftp, imap, smtp, kaufland = (
        free_port() for _ in range(11)
    )
    flags = ["--temporal-port", temporal, "--ui-port", ui, "--codec-port", codec, "--sandbox-port", sandbox]
    flags += ["--supplier-port", portal, "--receiver-port", receiver]
    flags += ["--sftp-port", sftp, "--imap-port", imap, "--smtp-port", smtp]
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

        # The supplier portal's orders arrive by API poll and by webhook, and
        # the warehouse ships them; the API channel's portal records it.
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{portal}") as http:

            async def supplier_shipped() -> bool:
                # By API poll, by a CSV file on the portal's SFTP server, by a mail in the supplier's mailbox.
                for account in ("supplier-api", "supplier-sftp", "supplier-email"):
                    orders = (await http.get(f"/{account}/_sandbox/orders")).json()
                    if not any(order["status"] == "shipped" for order in orders):
                        return False
                return True

            await eventually(supplier_shipped, timeout=60, interval=1)
        # The README's supplier example, as written (on this run's ports).
        answered = await run_example(
            readme_block("supplier-example").replace("localhost:8714", f"localhost:{portal}"), tmp_path
        )
        assert '"pushes":[[202]]' in answered and '"answers":[[202],[202]]' in answered, answered
        assert '"answers":[[400]]' in answered, answered
        # The README's file-drop example, as written: three deliveries, one order; the broken file set aside.
        drops_out = await run_example(
            readme_block("supplier-drops-example").replace("localhost:8714", f"localhost:{portal}"), tmp_path
        )
        # One processed file for three deliveries, and the broken one's error.
        assert len(re.findall(r"PO-\d+\.[0-9a-f]{16}\.csv", drops_out)) == 1, drops_out
        assert "line 2, field 'Quantity': 'two' is not a whole number of at least 1" in drops_out, drops_out
        client = await Client.connect(f"localhost:{temporal}")
        pushed = [wf async for wf in client.list_workflows("Channel = 'supplier-webhook'")]
        assert pushed, "no order arrived by the supplier portal's webhook"
        readme_order = [wf async for wf in client.list_workflows("WorkflowId = 'order:supplier-webhook:PO-README1'")]
        assert len(readme_order) == 1
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
        assert {"bol", "kaufland"} <= {h["channel"] for h in reported[0]}
        assert {"bol", "kaufland"} <= {o["channel"] for o in reported[1]}
    finally:
        run.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(run.wait(), 60) == 0
