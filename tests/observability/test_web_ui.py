"""Ops open the Temporal Web UI filtered on NeedsAttention = true and find the
stuck order there (headless Chromium, Debian's, driven by Playwright)."""

import shutil
import urllib.parse
from pathlib import Path

import pytest
from playwright.async_api import async_playwright
from temporalio.client import Client

from domain.order.messages import PickRequest
from domain.order.status import OrderStatus
from starter.bench.stack import free_port
from tests.support import eventually
from tests.workflows.helpers import MUG, place_and_start, wait_for, wait_for_attention
from workers.devserver import DevServer
from workers.temporal_client import data_converter
from workflows.order import OrderWorkflow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (.ci/run installs it)")
async def test_the_ui_filtered_on_needs_attention_lists_the_stuck_order(engines, bol, task_queue, tmp_path):
    server = DevServer(None, port=free_port(), ui_port=free_port(), log_file=tmp_path / "temporal.log").start()
    try:
        client = await Client.connect(server.address, data_converter=data_converter())
        engine = engines.build(task_queue)
        bol.state.add_fault(
            path="/retailer/shipments",
            method="POST",
            kind="process_failure",
            errorMessage="Address unknown to PostNL",
            times=1,
        )
        async with engine.worker(client):
            _, fine = await place_and_start(client, bol, task_queue, [{**MUG, "quantity": 1}])
            _, stuck = await place_and_start(client, bol, task_queue, [{**MUG, "quantity": 1}])
            await wait_for(fine, OrderStatus.AWAITING_PICK)
            await wait_for(stuck, OrderStatus.AWAITING_PICK)
            await stuck.execute_update(OrderWorkflow.pick, PickRequest())
            await wait_for_attention(stuck)
            await eventually(lambda: _listed(client, stuck.id))

            query = urllib.parse.quote("NeedsAttention = true")
            url = f"{server.ui_url}/namespaces/default/workflows?query={query}"
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                page = await browser.new_page(viewport={"width": 1600, "height": 900})
                await page.goto(url)
                await page.get_by_text(stuck.id).first.wait_for(timeout=60_000)
                await page.screenshot(path=str(tmp_path / "needs-attention.png"), full_page=True)
                listed = await page.content()
                await browser.close()
        assert stuck.id in listed
        assert fine.id not in listed  # the filter really filters
    finally:
        server.stop()


async def _listed(client: Client, workflow_id: str) -> bool:
    return any([wf.id == workflow_id async for wf in client.list_workflows("NeedsAttention = true")])
