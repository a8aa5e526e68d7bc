"""Fault injection: POST/GET/DELETE /_sandbox/faults and each kind of fault."""

import asyncio
import time

from tests.sandbox.helpers import MUG, FakeClock


async def _fault(http, **fault) -> dict:
    response = await http.post("/_sandbox/faults", json=fault)
    assert response.status_code == 201, response.text
    return response.json()


async def test_status_faults_answer_a_bol_problem_a_number_of_times(bol, http):
    await _fault(http, path="/retailer/orders", kind="status", status=503, times=2)

    statuses = [(await bol.get("/retailer/orders")).status_code for _ in range(3)]

    assert statuses == [503, 503, 200]
    assert (await http.get("/_sandbox/faults")).json() == []  # used up


async def test_a_status_fault_body_is_a_problem(bol, http):
    await _fault(http, path="/shared", kind="status", status=502)
    response = await bol.get("/shared/process-status/1")
    assert response.status_code == 502
    assert {k: response.json()[k] for k in ("type", "title", "status")} == {
        "type": "https://api.bol.com/problems",
        "title": "Bad Gateway",
        "status": 502,
    }


async def test_faults_match_method_and_path_prefix(bol, http, sandbox):
    await _fault(http, path="/retailer/shipments", method="post", kind="status", status=500)
    order = sandbox.place_order(items=[{**MUG, "quantity": 1}])

    assert (await bol.get("/retailer/shipments")).status_code == 200
    assert (await bol.ship({"orderItemId": order["orderItems"][0]["orderItemId"]})).status_code == 500
    assert (await bol.get("/retailer/orders")).status_code == 200


async def test_faults_can_be_listed_and_removed(bol, http):
    first = await _fault(http, path="/retailer", kind="status", status=500)
    second = await _fault(http, path="/shared", kind="status", status=504, times=5)

    listed = (await http.get("/_sandbox/faults")).json()
    assert [(f["id"], f["status"], f["times"]) for f in listed] == [(first["id"], 500, None), (second["id"], 504, 5)]
    assert (await http.delete(f"/_sandbox/faults/{first['id']}")).status_code == 204
    assert (await http.delete(f"/_sandbox/faults/{first['id']}")).status_code == 404
    assert (await bol.get("/retailer/orders")).status_code == 200
    assert (await http.delete("/_sandbox/faults")).status_code == 204
    assert (await bol.get("/shared/process-status/1")).status_code == 404


async def test_a_slow_fault_delays_then_answers_normally(bol, http):
    await _fault(http, path="/retailer/orders", kind="slow", delaySeconds=0.2, times=1)

    started = time.monotonic()
    response = await bol.get("/retailer/orders")

    assert time.monotonic() - started >= 0.2
    assert response.status_code == 200


async def test_expire_token_invalidates_the_token_in_use(http, bol):
    await bol.token()
    await _fault(http, path="/retailer/orders", kind="expire_token", times=1)

    expired = await bol.http.get("/retailer/orders", headers=await bol.headers())
    still_expired = await bol.http.get("/retailer/orders", headers=await bol.headers())
    await bol.token(fresh=True)

    assert expired.status_code == 401 and expired.json()["title"] == "Expired JWT"
    assert still_expired.status_code == 401
    assert (await bol.get("/retailer/orders")).status_code == 200


async def test_process_failure_accepts_the_write_and_fails_it_without_effect(bol, http, sandbox, clock: FakeClock):
    await _fault(
        http,
        path="/retailer/shipments",
        method="POST",
        kind="process_failure",
        times=1,
        errorMessage="Transporter code is not valid for this order",
    )
    order = sandbox.place_order(items=[{**MUG, "quantity": 1}])
    item = order["orderItems"][0]["orderItemId"]

    assert (await bol.get("/retailer/shipments")).status_code == 200  # reads do not use the fault up
    accepted = await bol.ship({"orderItemId": item})
    clock.advance(1)

    assert accepted.status_code == 202
    failed = await bol.process(accepted.json()["processStatusId"])
    assert (failed["status"], failed["errorMessage"]) == ("FAILURE", "Transporter code is not valid for this order")
    assert sandbox.shipments() == []
    assert sandbox.order(order["orderId"])["orderItems"][0]["quantityShipped"] == 0
    retried = (await bol.ship({"orderItemId": item})).json()
    clock.advance(1)
    assert (await bol.process(retried["processStatusId"]))["status"] == "SUCCESS"


async def test_process_timeout_stays_pending_then_times_out_without_effect(bol, http, sandbox, clock: FakeClock):
    await _fault(http, path="/retailer/orders/cancellation", kind="process_timeout", delaySeconds=60, times=1)
    order = sandbox.place_order(items=[{**MUG, "quantity": 1}])

    accepted = (await bol.cancel(order["orderItems"][0]["orderItemId"])).json()
    clock.advance(59)
    assert (await bol.process(accepted["processStatusId"]))["status"] == "PENDING"
    clock.advance(1)

    assert (await bol.process(accepted["processStatusId"]))["status"] == "TIMEOUT"
    assert sandbox.cancellations() == []
    assert sandbox.order(order["orderId"])["orderItems"][0]["quantityCancelled"] == 0


async def test_process_timeout_defaults_to_the_process_delay(bol, sandbox, clock: FakeClock):
    sandbox.add_fault(path="/retailer/shipments", kind="process_timeout")
    order = sandbox.place_order(items=[{**MUG, "quantity": 1}])

    accepted = (await bol.ship({"orderItemId": order["orderItems"][0]["orderItemId"]})).json()
    clock.advance(0.5)

    assert (await bol.process(accepted["processStatusId"]))["status"] == "TIMEOUT"


async def test_the_token_endpoint_can_fail_too(http):
    await _fault(http, path="/token", kind="status", status=500, times=1)

    failing = await http.post("/token", data={"grant_type": "client_credentials"}, auth=("sandbox", "sandbox"))
    working = await http.post("/token", data={"grant_type": "client_credentials"}, auth=("sandbox", "sandbox"))

    assert (failing.status_code, working.status_code) == (500, 200)


async def test_invalid_faults_are_refused(http):
    unknown_kind = await http.post("/_sandbox/faults", json={"path": "/retailer", "kind": "explode"})
    slow_without_delay = await http.post("/_sandbox/faults", json={"path": "/retailer", "kind": "slow"})
    typo = await http.post("/_sandbox/faults", json={"path": "/retailer", "kind": "status", "stauts": 500})

    assert [r.status_code for r in (unknown_kind, slow_without_delay, typo)] == [400, 400, 400]
    assert [v["name"] for v in unknown_kind.json()["violations"]] == ["kind"]
    assert (await http.get("/_sandbox/faults")).json() == []


async def test_a_path_template_segment_stands_for_any_one_segment(bol, sandbox):
    sandbox.add_fault(path="/retailer/orders/{order-id}", kind="status", status=502)
    sandbox.add_fault(path="/shared/process-status/{process-status-id}/", kind="status", status=504)

    assert (await bol.get("/retailer/orders")).status_code == 200  # the segment must be there
    assert (await bol.get("/retailer/orders/1200000001")).status_code == 502
    assert (await bol.get("/shared/process-status/1")).status_code == 404  # no "/" after the id
    assert (await bol.get("/shared/process-status")).status_code == 400


async def test_a_hold_fault_does_the_work_and_keeps_the_answer_back_until_released(bol, http, sandbox):
    await _fault(http, path="/retailer/shipments", method="POST", kind="hold", times=1)
    order = sandbox.place_order(items=[{**MUG, "quantity": 1}])
    item_id = order["orderItems"][0]["orderItemId"]

    shipping = asyncio.create_task(bol.ship({"orderItemId": item_id}))
    for _ in range(200):
        if (await http.get("/_sandbox/holds")).json():
            break
        await asyncio.sleep(0.01)
    [held] = (await http.get("/_sandbox/holds")).json()
    assert (held["method"], held["path"]) == ("POST", "/retailer/shipments")
    assert held["body"]["orderItems"] == [{"orderItemId": item_id}]
    assert not shipping.done()
    assert [p["eventType"] for p in sandbox.process_statuses()] == ["CREATE_SHIPMENT"]  # bol accepted it

    assert (await http.delete("/_sandbox/holds")).status_code == 204
    assert (await asyncio.wait_for(shipping, 5)).status_code == 202
    assert (await bol.ship({"orderItemId": item_id})).status_code == 202  # used up: the next one answers at once


async def test_a_malformed_fault_garbles_one_listed_item_but_its_id(bol, http, sandbox):
    first, second = (sandbox.place_order(items=[{**MUG, "quantity": 1}]) for _ in range(2))
    await _fault(http, path="/retailer/orders", method="GET", kind="malformed", itemId=second["orderId"])

    orders = (await bol.get("/retailer/orders")).json()["orders"]

    garbled = next(o for o in orders if o["orderId"] == second["orderId"])
    assert set(garbled.values()) == {second["orderId"], "?"}
    assert next(o for o in orders if o["orderId"] == first["orderId"])["orderItems"]
    assert (await bol.get(f"/retailer/orders/{second['orderId']}")).json()["orderItems"]  # only in lists
