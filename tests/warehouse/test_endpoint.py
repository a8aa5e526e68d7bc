"""The warehouse's pick and ship endpoint over real HTTP, against orders on
the dev server: it runs the same updates as the CLI, so a refusal carries
the order's own message, and a caller without the secret changes nothing."""

from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr

from activities.channels import Channels
from activities.intake import IntakeActivities
from domain.order.status import OrderStatus
from tests.workflows.helpers import LAMP, MUG, place_and_start, view, wait_for
from workers.http import serving
from workers.warehouse_endpoint import create_warehouse_app, warehouse_routes
from workers.webhooks import create_webhook_app

SECRET = "endpoint-test-secret"
AUTH = {"Authorization": f"Bearer {SECRET}"}


@pytest.fixture
async def endpoint(dev_env) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        serving(create_warehouse_app(dev_env.client, SecretStr(SECRET))) as url,
        httpx.AsyncClient(base_url=url) as http,
    ):
        yield http


@pytest.fixture
async def awaiting_pick(dev_env, engines, bol, task_queue):
    engine = engines.build(task_queue)
    async with engine.worker(dev_env.client):
        order, handle = await place_and_start(
            dev_env.client, bol, task_queue, [{**MUG, "quantity": 2}, {**LAMP, "quantity": 1}]
        )
        await wait_for(handle, OrderStatus.AWAITING_PICK, timeout=30)
        yield order, handle
    await engine.aclose()


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer not-the-secret"}, {"Authorization": SECRET}], ids=["none", "wrong", "raw"]
)
async def test_without_the_secret_a_pick_is_refused_and_nothing_changes(endpoint, awaiting_pick, headers):
    _, handle = awaiting_pick
    response = await endpoint.post(f"/warehouse/orders/{handle.id}/pick", json={}, headers=headers)
    assert response.status_code == 401
    assert "Bearer" in response.json()["error"]
    current = await view(handle)
    assert current.status == OrderStatus.AWAITING_PICK
    assert all(line.quantity_picked == 0 for line in current.lines)


async def test_a_pick_the_order_refuses_gets_its_message(endpoint, awaiting_pick):
    order, handle = awaiting_pick
    mug = order["orderItems"][0]["orderItemId"]
    url = f"/warehouse/orders/{handle.id}/pick"

    unknown = await endpoint.post(url, json={"lines": [{"line_id": "999", "quantity": 1}]}, headers=AUTH)
    assert unknown.status_code == 422
    assert unknown.json()["error"].startswith("order has no line 999; lines: ")

    too_many = await endpoint.post(url, json={"lines": [{"line_id": mug, "quantity": 3}]}, headers=AUTH)
    assert too_many.status_code == 422
    assert too_many.json()["error"] == f"line {mug}: can pick 1..2, not 3"

    malformed = await endpoint.post(url, json={"lines": [{"line_id": mug, "quantity": "two"}]}, headers=AUTH)
    assert malformed.status_code == 400
    assert malformed.json()["error"].startswith("lines.0.quantity: ")

    current = await view(handle)
    assert current.status == OrderStatus.AWAITING_PICK
    assert all(line.quantity_picked == 0 for line in current.lines)


async def test_a_good_pick_ships_the_order(endpoint, awaiting_pick, bol):
    _, handle = awaiting_pick
    response = await endpoint.post(
        f"/warehouse/orders/{handle.id}/pick", json={"track_and_trace": "3SWH0000001"}, headers=AUTH
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"order_id": handle.id, "result": "picked; shipping follows"}
    await wait_for(handle, OrderStatus.SHIPPED, timeout=30)
    assert [s["trackAndTrace"] for s in await bol.get("/_sandbox/shipments")] == ["3SWH0000001"]


async def test_ship_reports_a_shipment_with_the_warehouse_transporter_once(endpoint, awaiting_pick, bol):
    _, handle = awaiting_pick
    url = f"/warehouse/orders/{handle.id}/ship"
    body = {"transporter_code": "DHL", "track_and_trace": "JVGL0000001"}
    shipped = await endpoint.post(url, json=body, headers=AUTH)
    assert shipped.status_code == 200, shipped.text
    assert shipped.json()["result"] == "shipping"
    await wait_for(handle, OrderStatus.SHIPPED, timeout=30)
    assert [s["transporterCode"] for s in await bol.get("/_sandbox/shipments")] == ["DHL"]

    again = await endpoint.post(url, json=body, headers=AUTH)
    assert again.status_code == 422
    assert again.json()["error"] == "order is SHIPPED: nothing left to ship"


async def test_an_order_that_does_not_exist_is_404(endpoint):
    missing = await endpoint.post("/warehouse/orders/order:bol:0000000/pick", json={}, headers=AUTH)
    assert missing.status_code == 404
    assert missing.json()["error"] == "no running order order:bol:0000000"
    not_an_id = await endpoint.post("/warehouse/orders/12345/pick", json={}, headers=AUTH)
    assert not_an_id.status_code == 404
    assert "order:<channel>:<id>" in not_an_id.json()["error"]


async def test_the_webhook_receiver_serves_the_same_endpoint(dev_env):
    intake = IntakeActivities(Channels.from_config({}), dev_env.client, "unused")
    routes = warehouse_routes(dev_env.client, SecretStr(SECRET))
    async with serving(create_webhook_app(intake, extra_routes=routes)) as url, httpx.AsyncClient(base_url=url) as http:
        assert (await http.post("/warehouse/orders/order:bol:1/pick", json={})).status_code == 401
        missing = await http.post("/warehouse/orders/order:bol:1/pick", json={}, headers=AUTH)
        assert missing.json() == {"error": "no running order order:bol:1"}
        assert (await http.get("/healthz")).json() == {"ok": True}
