"""Orders from the bol sandbox to SHIPPED through the real dev server:
intake polling, the worker, the store, the warehouse simulator."""

import asyncio
import collections
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
from temporalio.client import Client

from activities.intake import IntakeActivities
from domain.ids import intake_workflow_id, order_workflow_id
from domain.intake import IntakeInput, OrderChange
from domain.order.messages import PickRequest
from starter import orders_api
from starter.console import CommandError
from starter.demo_catalog import DEMO_PRICES, DEMO_PRODUCTS, seed_demo_catalog
from starter.simulators import WarehouseSimulator
from tests.support import bol_channel, eventually
from workers.devserver import temporal_binary
from workers.settings import Settings
from workers.worker import Engine, ensure_intake
from workflows.intake import ChannelIntakeWorkflow


@dataclass
class Running:
    engine: Engine
    settings: Settings
    url: str


@pytest.fixture
async def e2e(bol_server, tmp_path) -> AsyncIterator[Running]:
    settings = Settings(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'store.db'}",
        task_queue=f"e2e-{uuid.uuid4()}",
        channels={"bol": bol_channel(bol_server.url, poll_interval=timedelta(milliseconds=500))},
    )
    engine = Engine.build(settings)
    seed_demo_catalog(engine.inventory)
    yield Running(engine, settings, bol_server.url)
    await engine.aclose()


async def _place_orders(url: str, count: int) -> list[dict]:
    orders = []
    async with httpx.AsyncClient(base_url=url) as http:
        for n in range(count):
            product = DEMO_PRODUCTS[n % len(DEMO_PRODUCTS)]
            items = [
                {
                    "ean": product.ean,
                    "quantity": 1 + n % 2,
                    "unitPrice": DEMO_PRICES[product.sku],
                    "title": product.title,
                }
            ]
            response = await http.post("/_sandbox/orders", json={"items": items})
            response.raise_for_status()
            orders.append(response.json())
    return orders


async def _run_until_shipped(client: Client, engine: Engine, settings: Settings, url: str, count: int) -> list[dict]:
    stop = asyncio.Event()
    async with engine.worker(client):
        await ensure_intake(client, settings)
        try:
            warehouse = WarehouseSimulator(client, engine.inventory, pick_delay=timedelta(0))
            picking = asyncio.create_task(warehouse.run(stop, every=0.5))
            orders = await _place_orders(url, count)
            ids = {order_workflow_id("bol", o["orderId"]) for o in orders}

            async def all_shipped() -> bool:
                shipped = await orders_api.list_orders(client, orders_api.list_query(status="SHIPPED", channel="bol"))
                return ids <= {o.workflow_id for o in shipped}

            await eventually(all_shipped, timeout=120, interval=0.5)
            stop.set()
            await picking
        finally:
            # The intake id is per channel: the next test starts its own.
            await client.get_workflow_handle(intake_workflow_id("bol")).terminate("test over")
    return orders


def _assert_each_shipped_exactly_once(orders: list[dict], shipments: list[dict]) -> None:
    shipped: collections.Counter[str] = collections.Counter()
    for shipment in shipments:
        assert shipment["trackAndTrace"].startswith("3SSIM"), shipment
        for item in shipment["items"]:
            shipped[item["orderItemId"]] += item["quantity"]
    expected = {item["orderItemId"]: item["quantity"] for o in orders for item in o["orderItems"]}
    assert dict(shipped) == expected
    assert len(shipments) == len(orders)


async def test_twenty_orders_reach_shipped_each_shipped_exactly_once(dev_env, e2e):
    orders = await _run_until_shipped(dev_env.client, e2e.engine, e2e.settings, e2e.url, 20)
    async with httpx.AsyncClient(base_url=e2e.url) as http:
        shipments = (await http.get("/_sandbox/shipments")).json()
    _assert_each_shipped_exactly_once(orders, shipments)
    reservations = e2e.engine.inventory.reservations("bol")
    assert len(reservations) == sum(len(o["orderItems"]) for o in orders)
    assert all(r.state == "SHIPPED" for r in reservations)


async def test_429s_and_5xx_slow_things_down_but_lose_nothing(dev_env, e2e):
    async with httpx.AsyncClient(base_url=e2e.url) as http:
        # Fewer 429s on the order reads than the intake's watch has attempts
        # (5): exhausting them only adds the intake's 30 s pause, which
        # tests/workflows/fast/test_fast_intake.py covers in a second.
        for fault in (
            {"path": "/retailer/orders", "method": "GET", "kind": "rate_limit", "retryAfter": None, "times": 1},
            {"path": "/retailer/orders", "method": "GET", "kind": "rate_limit", "retryAfter": 1, "times": 3},
            {"path": "/retailer/shipments", "method": "POST", "kind": "status", "status": 503, "times": 3},
            {"path": "/shared/process-status", "kind": "status", "status": 500, "times": 3},
        ):
            (await http.post("/_sandbox/faults", json=fault)).raise_for_status()
    orders = await _run_until_shipped(dev_env.client, e2e.engine, e2e.settings, e2e.url, 8)
    async with httpx.AsyncClient(base_url=e2e.url) as http:
        shipments = (await http.get("/_sandbox/shipments")).json()
        requests = (await http.get("/_sandbox/requests")).json()
    _assert_each_shipped_exactly_once(orders, shipments)
    statuses = collections.Counter(r["status"] for r in requests)
    assert statuses[429] == 4 and statuses[503] == 3 and statuses[500] == 3  # the faults really happened


async def test_the_same_order_seen_twice_by_intake_gives_one_workflow(dev_env, e2e):
    order = (await _place_orders(e2e.url, 1))[0]
    change = OrderChange(marketplace_order_id=order["orderId"], placed_at=order["orderPlacedDateTime"], open=True)
    # Two intake processes (no shared memory) see the same order: the second start is a no-op.
    for _ in range(2):
        intake = IntakeActivities(e2e.engine.channels, dev_env.client, e2e.settings.task_queue)
        assert await intake.dispatch_order("bol", change)
    workflow_id = order_workflow_id("bol", order["orderId"])
    runs = [wf async for wf in dev_env.client.list_workflows(f"WorkflowId = '{workflow_id}'")]
    assert len(runs) == 1
    await dev_env.client.get_workflow_handle(workflow_id).terminate("test over")


async def test_a_history_exported_by_the_temporal_cli_replays_with_ordertide_replay(dev_env, e2e, tmp_path):
    orders = await _run_until_shipped(dev_env.client, e2e.engine, e2e.settings, e2e.url, 1)
    workflow_id = order_workflow_id("bol", orders[0]["orderId"])
    address = dev_env.client.service_client.config.target_host
    exported = tmp_path / "order.json"
    # In a thread: the event loop keeps serving this test's worker meanwhile.
    show = await asyncio.to_thread(
        subprocess.run,
        [temporal_binary(), "workflow", "show", "--workflow-id", workflow_id, "-o", "json", "--address", address],
        capture_output=True,
        text=True,
        check=True,
    )
    exported.write_text(show.stdout)
    replayed = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "starter.cli", "replay", str(exported)],
        capture_output=True,
        text=True,
        env={**os.environ, "ORDERTIDE_DATA_DIR": str(tmp_path)},
    )
    assert replayed.returncode == 0, replayed.stderr
    assert f"{exported.stem}: deterministic" in replayed.stdout

    # Straight from the server; without a terminal, progress goes to stderr as plain lines.
    everything = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "starter.cli", "replay", "--all", "--query", f"WorkflowId = '{workflow_id}'"],
        capture_output=True,
        text=True,
        env={**os.environ, "ORDERTIDE_DATA_DIR": str(tmp_path), "TEMPORAL_ADDRESS": address},
    )
    assert everything.returncode == 0, everything.stderr
    assert f"{workflow_id}: deterministic" in everything.stdout
    assert "replayed 1 of 1 histories" in everything.stderr
    # On a terminal (TTY_COMPATIBLE: rich takes stderr for one), a bar instead.
    on_terminal = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "starter.cli", "replay", "--all", "--query", f"WorkflowId = '{workflow_id}'"],
        capture_output=True,
        text=True,
        env={**os.environ, "ORDERTIDE_DATA_DIR": str(tmp_path), "TEMPORAL_ADDRESS": address, "TTY_COMPATIBLE": "1"},
    )
    assert on_terminal.returncode == 0, on_terminal.stderr
    assert "replaying" in on_terminal.stderr and "1/1" in on_terminal.stderr and "━" in on_terminal.stderr
    assert "replayed 1 of 1" not in on_terminal.stderr


async def test_intake_forwards_buyer_cancellations_and_returns_to_the_orders(dev_env, e2e):
    client = dev_env.client
    async with e2e.engine.worker(client):
        await _start_intake_with_short_watches(client, e2e.settings)
        try:
            async with httpx.AsyncClient(base_url=e2e.url) as http:
                [keep, cancel] = await _place_orders(e2e.url, 2)
                keep_id, cancel_id = (order_workflow_id("bol", o["orderId"]) for o in (keep, cancel))

                await eventually(lambda: _status_is(client, cancel_id, "AWAITING_PICK"), timeout=30)
                # The buyer cancels on bol; only intake can tell the order.
                await http.post(f"/_sandbox/orders/{cancel['orderId']}/cancellation-requests", json={})
                await eventually(lambda: _status_is(client, cancel_id, "CANCELLED"), timeout=30)

                await eventually(lambda: _status_is(client, keep_id, "AWAITING_PICK"), timeout=30)
                await orders_api.update_order(client, keep_id, "pick", PickRequest(track_and_trace="3SSIM000000001"))
                await eventually(lambda: _status_is(client, keep_id, "SHIPPED"), timeout=30)
                item = keep["orderItems"][0]
                await http.post("/_sandbox/returns", json={"orderItemId": item["orderItemId"], "quantity": 1})
                await eventually(lambda: _status_is(client, keep_id, "RETURN_OPEN"), timeout=30)
        finally:
            await client.get_workflow_handle(intake_workflow_id("bol")).terminate("test over")
    reasons = [
        c["reasonCode"] for c in (await httpx.AsyncClient(base_url=e2e.url).get("/_sandbox/cancellations")).json()
    ]
    assert reasons == ["REQUESTED_BY_CUSTOMER"]


async def _start_intake_with_short_watches(client: Client, settings: Settings) -> None:
    """ensure_intake's intake, with 2-second watches instead of one-minute
    ones: a watch reads returns when it starts and then every 30 s, so a
    return registered mid-watch would otherwise take up to 30 s to arrive."""
    await client.start_workflow(
        ChannelIntakeWorkflow.run,
        IntakeInput(channel="bol", poll_interval=settings.channels["bol"].poll_interval, watch=timedelta(seconds=2)),
        id=intake_workflow_id("bol"),
        task_queue=settings.task_queue,
    )


async def _status_is(client: Client, workflow_id: str, status: str) -> bool:
    try:
        return (await orders_api.show_order(client, workflow_id)).status == status
    except CommandError:  # intake has not started it yet
        return False
