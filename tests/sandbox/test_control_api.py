"""The control API (/_sandbox) and its in-process twin on app.state.sandbox."""

import pytest
from pydantic import ValidationError

from tests.sandbox.helpers import MUG, FakeClock


async def test_placing_an_order_answers_the_order_as_bol_shows_it(http, bol):
    response = await http.post(
        "/_sandbox/orders", json={"orderId": "1200000001", "items": [{**MUG, "quantity": 2, "unitPrice": 9.5}]}
    )

    assert response.status_code == 201
    assert response.json() == (await bol.get("/retailer/orders/1200000001")).json()
    assert response.json()["orderItems"][0]["unitPrice"] == 9.5
    duplicate = await http.post("/_sandbox/orders", json={"orderId": "1200000001", "items": [{**MUG, "quantity": 1}]})
    assert duplicate.status_code == 409


async def test_invalid_orders_are_refused_with_the_fields_named(http):
    response = await http.post("/_sandbox/orders", json={"items": [{"ean": "1", "quantity": 0, "unitPrice": "free"}]})
    no_items = await http.post("/_sandbox/orders", json={"countryCode": "DE", "items": []})

    assert response.status_code == 400
    assert [v["name"] for v in response.json()["violations"]] == ["items[0].quantity", "items[0].unitPrice"]
    assert [v["name"] for v in no_items.json()["violations"]] == ["countryCode", "items"]


async def test_the_request_log_has_every_api_request_in_order(http, bol, sandbox):
    await bol.get("/retailer/orders", status="ALL")
    await bol.ship({"orderItemId": "2012345678"})
    await http.get("/_sandbox/shipments")

    log = (await http.get("/_sandbox/requests")).json()

    assert [(r["method"], r["path"], r["status"]) for r in log] == [
        ("POST", "/token", 200),
        ("GET", "/retailer/orders", 200),
        ("POST", "/retailer/shipments", 202),
    ]
    assert log[1]["query"] == {"status": "ALL"}
    assert log[2]["body"]["orderItems"] == [{"orderItemId": "2012345678"}]
    assert log[0]["body"] == "grant_type=client_credentials"
    assert {r["at"] for r in log} == {"2025-03-03T09:00:00Z"}  # sandbox time
    assert [r["path"] for r in (await http.get("/_sandbox/requests", params={"path": "/retailer"})).json()] == [
        "/retailer/orders",
        "/retailer/shipments",
    ]
    assert sandbox.requests("/token")[0]["status"] == 200


async def test_reset_drops_state_but_never_reuses_ids(http, bol, sandbox, clock: FakeClock):
    first = sandbox.place_order(items=[{**MUG, "quantity": 1}])
    await bol.ship({"orderItemId": first["orderItems"][0]["orderItemId"]})
    sandbox.add_fault(path="/retailer", kind="status", status=500)
    clock.advance(1)

    assert (await http.post("/_sandbox/reset")).status_code == 204

    assert sandbox.shipments() == [] and sandbox.faults() == [] and sandbox.requests() == []
    assert (await bol.get(f"/retailer/orders/{first['orderId']}")).status_code == 404
    second = sandbox.place_order(items=[{**MUG, "quantity": 1}])
    assert int(second["orderId"]) > int(first["orderId"])


async def test_config_can_be_changed_partly(http, sandbox, bol, clock: FakeClock):
    response = await http.put("/_sandbox/config", json={"process_delay_seconds": 5, "token_ttl_seconds": 60})

    assert response.status_code == 200
    assert (response.json()["process_delay_seconds"], response.json()["client_id"]) == (5, "sandbox")
    assert (await http.get("/_sandbox/config")).json() == response.json()
    order = sandbox.place_order(items=[{**MUG, "quantity": 1}])
    pid = (await bol.ship({"orderItemId": order["orderItems"][0]["orderItemId"]})).json()["processStatusId"]
    clock.advance(4)
    assert (await bol.process(pid))["status"] == "PENDING"
    negative = await http.put("/_sandbox/config", json={"process_delay_seconds": -1})
    misspelt = await http.put("/_sandbox/config", json={"process_delay": 1})
    assert [r.status_code for r in (negative, misspelt)] == [400, 400]
    assert sandbox.config.process_delay_seconds == 5


async def test_the_same_operations_work_in_process_with_snake_case(sandbox):
    item = {"ean": "8710103917885", "quantity": 1, "unit_price": "3.50"}
    order = sandbox.place_order(items=[item], country_code="BE")
    sandbox.request_cancellation(order["orderId"])

    assert sandbox.order(order["orderId"])["orderItems"][0]["cancellationRequest"] is True
    assert order["shipmentDetails"]["countryCode"] == "BE"
    with pytest.raises(ValidationError):
        sandbox.place_order(items=[], colour="blue")


async def test_control_bodies_must_be_json_objects(http):
    response = await http.post("/_sandbox/orders", content=b"[1, 2]")
    assert response.status_code == 400 and response.json()["violations"][0]["name"] == "body"
