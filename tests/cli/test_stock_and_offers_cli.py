"""Stock from outside (ordertide stock ...) and the offers report."""

import asyncio
import contextlib
import json

import httpx
from temporalio.service import RPCError

from activities.store import AlertBook
from domain.ids import offer_sync_workflow_id
from domain.names import INVENTORY_WORKFLOW_ID
from sandbox.bol.app import create_app
from sandbox.bol.config import BolSandboxConfig
from tests.cli.test_cli import cli_env, ordertide
from tests.offers.support import TwoChannels, live_stock_is
from tests.offers.test_offer_sync import ALL_SKUS, MUG_EAN, publish_catalog
from tests.support import SandboxedBol, eventually
from workers.http import serve_in_thread
from workers.settings import settings_env


async def test_stock_set_adjust_and_import_reach_every_channel(dev_env, two_channels, tmp_path, task_queue):
    engine = two_channels.build(tmp_path, task_queue)
    env = {**cli_env(dev_env, tmp_path), **settings_env(engine.settings)}
    csv = tmp_path / "stock.csv"
    csv.write_text("sku,on_hand,note\nMUG-BLUE,40,\nNOPE,3,\nLAMP-DESK,many,\n,4,\nTOWEL-XL,-1,\nBOARD-OAK,12,\n")
    async with engine.worker(dev_env.client):
        try:
            await publish_catalog(engine, dev_env.client, [two_channels.bol, two_channels.bol2])

            code, out, err = await ordertide("stock", "set", "MUG-RED", "17", env=env)
            assert code == 0 and "MUG-RED: on hand 17, reserved 0, available 17" in out
            code, out, _ = await ordertide("stock", "adjust", "MUG-RED", "-2", env=env)
            assert code == 0 and "on hand 15" in out

            code, out, err = await ordertide("stock", "import", str(csv), env=env)
            assert code == 1
            assert f"{csv}:3: unknown SKU 'NOPE'" in err
            assert f"{csv}:4: on_hand 'many' is not a whole number" in err
            assert f"{csv}:5: sku is empty" in err
            assert f"{csv}:6: on_hand -1 is negative" in err
            assert "2 of 6 rows applied" in out
            assert (
                engine.inventory.stock("MUG-BLUE").on_hand == 40 and engine.inventory.stock("BOARD-OAK").on_hand == 12
            )

            # A change from outside moves every channel's offer.
            for box in (two_channels.bol, two_channels.bol2):
                await eventually(live_stock_is(box, MUG_EAN, 40))
                await eventually(live_stock_is(box, "8712100850936", 15))
        finally:
            await dev_env.client.get_workflow_handle(INVENTORY_WORKFLOW_ID).terminate("test over")

        code, out, err = await ordertide("stock", "set", "MUG-RED", "-5", env=env)
        assert (code, err.strip().splitlines()) == (1, ["error: ON_HAND -5 is negative"])


async def test_offers_show_tells_desired_accepted_and_live_per_channel(dev_env, tmp_path, task_queue):
    # Over real HTTP, so the command (a separate process) reaches the sandboxes.
    servers = [serve_in_thread(create_app(BolSandboxConfig(process_delay_seconds=0.02))) for _ in range(2)]
    try:
        boxes = [SandboxedBol(app=None, transport=httpx.AsyncHTTPTransport(), url=server.url) for server in servers]
        channels = TwoChannels(*boxes)
        engine = channels.build(tmp_path, task_queue, feed=None)
        env = {**cli_env(dev_env, tmp_path), **settings_env(engine.settings)}
        async with engine.worker(dev_env.client):
            await engine.notifier(dev_env.client).changed(ALL_SKUS)
            await eventually(lambda: all(engine.offers.offers(c).get("MUG-BLUE") for c in ("bol", "bol2")))
        offer_id = engine.offers.offers("bol")["MUG-BLUE"].offer_id
        async with httpx.AsyncClient(base_url=servers[0].url) as http:  # someone edits bol's portal
            (await http.post(f"/_sandbox/offers/{offer_id}/drift", json={"stock": 3})).raise_for_status()

        code, out, err = await ordertide("offers", "show", "MUG-BLUE", "--json", env=env)
        assert code == 0, err
        report = {row["channel"]: row for row in json.loads(out)}
        assert report["bol"]["desired"]["stock"] == 50
        assert (report["bol"]["accepted"]["stock"], report["bol"]["accepted"]["state"]) == (50, "ACCEPTED")
        assert report["bol"]["live"]["stock"] == 3  # the drift, visible before reconciliation repairs it
        assert report["bol2"]["live"]["stock"] == 50

        code, out, _ = await ordertide("offers", "show", "MUG-BLUE", env=env)
        assert code == 0 and "price=12.95, stock=3" in out
        code, _, err = await ordertide("offers", "show", "NOPE", env=env)
        assert code == 1 and "unknown SKU 'NOPE'" in err
    finally:
        for server in servers:
            server.stop()
        for channel in ("bol", "bol2"):
            with contextlib.suppress(RPCError):  # not started, or already over
                await dev_env.client.get_workflow_handle(offer_sync_workflow_id(channel)).terminate("test over")


async def ordertide_within(seconds: float, *args: str, env: dict[str, str]) -> tuple[int, str, str]:
    """`ordertide ...` that must answer in time: a command that hangs is a failure, not a stuck test."""
    try:
        return await asyncio.wait_for(ordertide(*args, env=env), seconds)
    except TimeoutError:
        raise AssertionError(f"`ordertide {' '.join(args)}` did not answer within {seconds} s") from None


async def test_stock_commands_refuse_what_cannot_apply_in_one_line(dev_env, two_channels, tmp_path, task_queue):
    engine = two_channels.build(tmp_path, task_queue)
    env = {**cli_env(dev_env, tmp_path), **settings_env(engine.settings)}
    # Bad arguments never reach Temporal: one line naming the argument.
    for args, message in [
        (("set", "MUG-RED", "²"), "error: ON_HAND '²' is not a whole number"),
        (("set", "MUG-RED"), "error: ON_HAND is missing"),
        (("set", " ", "3"), "error: SKU is empty"),
        (("adjust", "MUG-RED", "1.5"), "error: DELTA '1.5' is not a whole number"),
        (("adjust", "MUG-RED", "0"), "error: DELTA is 0: nothing to adjust"),
        (("import", str(tmp_path / "nope.csv")), f"error: PATH {tmp_path / 'nope.csv'}: no such file"),
        (("set", "MUG-RED", "1", "2"), "error: unexpected argument '2' (see --help)"),
        (("import", "stock.csv", "--all-or-nothin"), "error: unexpected argument '--all-or-nothin' (see --help)"),
    ]:
        code, _, err = await ordertide_within(60, "stock", *args, env=env)
        assert (code, err.strip().splitlines()) == (1, [message])
    async with engine.worker(dev_env.client):
        try:
            code, _, err = await ordertide_within(60, "stock", "adjust", "NOPE", "1", env=env)
            assert (code, err.strip().splitlines()) == (1, ["error: rejected: unknown SKU 'NOPE'"])
            code, _, err = await ordertide_within(60, "stock", "adjust", "MUG-RED", "-51", env=env)
            assert code == 1 and "rejected: stock of MUG-RED would drop below zero (50 on hand, -51)" in err
            code, _, err = await ordertide_within(60, "stock", "set", "NOPE", "1", env=env)
            assert (code, err.strip().splitlines()) == (1, ["error: rejected: unknown SKU 'NOPE'"])
            # Nothing is left stuck behind them.
            code, out, err = await ordertide_within(60, "stock", "adjust", "MUG-RED", "-1", env=env)
            assert code == 0 and "MUG-RED: on hand 49" in out, err
        finally:
            await dev_env.client.get_workflow_handle(INVENTORY_WORKFLOW_ID).terminate("test over")


async def test_a_stock_import_names_every_bad_row_and_applies_the_rest_together(
    dev_env, two_channels, tmp_path, task_queue
):
    engine = two_channels.build(tmp_path, task_queue)
    env = {**cli_env(dev_env, tmp_path), **settings_env(engine.settings)}
    stock = tmp_path / "stock.csv"
    stock.write_text("SKU,On_Hand\nMUG-BLUE,40\nLAMP-DESK,²\nNOPE,3\nMUG-BLUE,41\nBOARD-OAK,12\n")
    async with engine.worker(dev_env.client):
        try:
            code, out, err = await ordertide_within(120, "stock", "import", str(stock), "--all-or-nothing", env=env)
            assert code == 1 and "0 of 5 rows applied" in out
            assert "3 row(s) rejected; with --all-or-nothing, nothing was applied" in err
            assert engine.inventory.stock("MUG-BLUE").on_hand == 50

            code, out, err = await ordertide_within(120, "stock", "import", str(stock), env=env)
            assert code == 1
            # Not a terminal: a plain line per staged batch instead of a bar.
            assert f"{stock}: staged up to line 6" in err.splitlines()
            bad = [line for line in err.splitlines() if line.startswith(f"{stock}:") and "staged" not in line]
            assert bad == [
                f"{stock}:3: on_hand '²' is not a whole number",
                f"{stock}:4: unknown SKU 'NOPE'",
                f"{stock}:5: 'MUG-BLUE' is already on line 2",
            ]
            assert "2 of 5 rows applied" in out
            levels = [engine.inventory.stock(sku).on_hand for sku in ("MUG-BLUE", "LAMP-DESK", "BOARD-OAK")]
            assert levels == [40, 50, 12]
            # The failed file is an alert until it imports cleanly (README, "Alerts").
            (failed,) = AlertBook(engine.db).failed_imports()
            assert (failed.kind, failed.name) == ("stock", "stock.csv") and "3 row(s) rejected" in failed.message

            # On a terminal (TTY_COMPATIBLE: rich takes stderr for one), a bar instead of the lines.
            terminal = {**env, "TTY_COMPATIBLE": "1"}
            code, _, err = await ordertide_within(120, "stock", "import", str(stock), env=terminal)
            assert code == 1
            assert "importing stock.csv" in err and "━" in err and "staged up to line" not in err
        finally:
            await dev_env.client.get_workflow_handle(INVENTORY_WORKFLOW_ID).terminate("test over")
