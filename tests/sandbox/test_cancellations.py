"""PUT /retailer/orders/cancellation and the buyer's cancellation requests."""

from tests.sandbox.helpers import LAMP, MUG, FakeClock


async def test_cancelling_an_item_cancels_what_is_still_open(bol, sandbox, clock: FakeClock):
    order = sandbox.place_order(items=[{**MUG, "quantity": 3}, {**LAMP, "quantity": 1}])
    mug, _ = (item["orderItemId"] for item in order["orderItems"])
    await bol.ship({"orderItemId": mug, "quantity": 1})
    clock.advance(1)

    accepted = await bol.cancel(mug, "NOT_AVAIL_IN_TIME")
    assert accepted.status_code == 202
    assert (accepted.json()["eventType"], accepted.json()["entityId"]) == ("CANCEL_ORDER", mug)
    clock.advance(1)

    assert (await bol.process(accepted.json()["processStatusId"]))["status"] == "SUCCESS"
    items = sandbox.order(order["orderId"])["orderItems"]
    assert [(i["quantityShipped"], i["quantityCancelled"]) for i in items] == [(1, 2), (0, 0)]
    assert sandbox.cancellations() == [
        {"orderId": order["orderId"], "orderItemId": mug, "reasonCode": "NOT_AVAIL_IN_TIME", "quantity": 2}
    ]


async def test_one_item_per_call(bol, sandbox):
    order = sandbox.place_order(items=[{**MUG, "quantity": 1}, {**LAMP, "quantity": 1}])
    body = {"orderItems": [{"orderItemId": i["orderItemId"], "reasonCode": "OTHER"} for i in order["orderItems"]]}

    response = await bol.send("PUT", "/retailer/orders/cancellation", body)

    assert response.status_code == 400
    assert [v["name"] for v in response.json()["violations"]] == ["orderItems"]
    assert sandbox.process_statuses() == []


async def test_reason_codes_are_checked_against_the_enum(bol):
    response = await bol.cancel("2012345678", "CHANGED_MY_MIND")

    assert response.status_code == 400
    violation = response.json()["violations"][0]
    assert violation["name"] == "orderItems[0].reasonCode"
    assert violation["reason"].startswith("Request contains invalid value(s): 'CHANGED_MY_MIND', allowed values: ")
    assert "REQUESTED_BY_CUSTOMER" in violation["reason"]


async def test_cancelling_an_item_with_nothing_open_fails(bol, sandbox, clock: FakeClock):
    order = sandbox.place_order(items=[{**MUG, "quantity": 1}])
    item = order["orderItems"][0]["orderItemId"]
    await bol.ship({"orderItemId": item})
    clock.advance(1)

    accepted = (await bol.cancel(item)).json()
    clock.advance(1)

    failed = await bol.process(accepted["processStatusId"])
    assert failed["status"] == "FAILURE"
    assert failed["errorMessage"] == f"Order item {item} has no open quantity left to cancel."
    assert sandbox.cancellations() == []


async def test_a_buyer_request_flags_the_items_until_the_seller_confirms(bol, sandbox, clock: FakeClock, http):
    order = sandbox.place_order(items=[{**MUG, "quantity": 1}, {**LAMP, "quantity": 1}])
    mug, _ = (item["orderItemId"] for item in order["orderItems"])
    clock.advance(60)

    asked = await http.post(f"/_sandbox/orders/{order['orderId']}/cancellation-requests", json={"orderItemIds": [mug]})

    assert asked.status_code == 200
    items = (await bol.get(f"/retailer/orders/{order['orderId']}")).json()["orderItems"]
    assert [(i["cancellationRequest"], i["latestChangedDateTime"]) for i in items] == [
        (True, "2025-03-03T09:01:00Z"),
        (False, "2025-03-03T09:00:00Z"),
    ]
    await bol.cancel(mug, "REQUESTED_BY_CUSTOMER")
    clock.advance(1)
    assert sandbox.cancellations()[0]["reasonCode"] == "REQUESTED_BY_CUSTOMER"
    assert sandbox.order(order["orderId"])["orderItems"][1]["quantityCancelled"] == 0


async def test_buyer_requests_without_items_cover_every_open_item(sandbox, http):
    order = sandbox.place_order(items=[{**MUG, "quantity": 1}, {**LAMP, "quantity": 1}])

    asked = await http.post(f"/_sandbox/orders/{order['orderId']}/cancellation-requests")

    assert [i["cancellationRequest"] for i in asked.json()["orderItems"]] == [True, True]
    unknown = await http.post("/_sandbox/orders/1/cancellation-requests")
    assert unknown.status_code == 404
