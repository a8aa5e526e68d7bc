"""POST /retailer/shipments and what the CREATE_SHIPMENT process does."""

from tests.sandbox.helpers import LAMP, MUG, FakeClock


async def test_a_shipment_is_pending_then_succeeds_and_ships_the_items(bol, sandbox, clock: FakeClock):
    order = sandbox.place_order(items=[{**MUG, "quantity": 2}, {**LAMP, "quantity": 1}])
    mug, lamp = (item["orderItemId"] for item in order["orderItems"])

    accepted = await bol.ship({"orderItemId": mug, "quantity": 2}, {"orderItemId": lamp}, shipmentReference="PICK-7")

    assert accepted.status_code == 202
    pending = accepted.json()
    assert (pending["status"], pending["eventType"], pending["entityId"]) == ("PENDING", "CREATE_SHIPMENT", mug)
    assert pending["links"][0]["href"].endswith(f"/shared/process-status/{pending['processStatusId']}")
    clock.advance(0.4)
    assert (await bol.process(pending["processStatusId"]))["status"] == "PENDING"
    assert sandbox.order(order["orderId"])["orderItems"][0]["quantityShipped"] == 0
    assert sandbox.shipments() == []

    clock.advance(0.1)
    assert (await bol.process(pending["processStatusId"]))["status"] == "SUCCESS"
    items = sandbox.order(order["orderId"])["orderItems"]
    assert [(i["quantityShipped"], i["latestChangedDateTime"]) for i in items] == [
        (2, "2025-03-03T09:00:00.500000Z"),
        (1, "2025-03-03T09:00:00.500000Z"),
    ]
    [shipment] = sandbox.shipments()
    assert shipment["orderId"] == order["orderId"]
    assert shipment["items"] == [{"orderItemId": mug, "quantity": 2}, {"orderItemId": lamp, "quantity": 1}]
    assert (shipment["transporterCode"], shipment["trackAndTrace"]) == ("TNT", "3SBOL0001")
    assert shipment["shipmentReference"] == "PICK-7"


async def test_shipments_can_be_read_back_through_the_retailer_api(bol, sandbox, clock: FakeClock):
    first = sandbox.place_order(items=[{**MUG, "quantity": 1}])
    second = sandbox.place_order(items=[{**MUG, "quantity": 1}])
    for order in (first, second):
        await bol.ship({"orderItemId": order["orderItems"][0]["orderItemId"]})
        clock.advance(1)

    listed = (await bol.get("/retailer/shipments")).json()["shipments"]
    by_order = (await bol.get("/retailer/shipments", **{"order-id": first["orderId"]})).json()["shipments"]
    detail = (await bol.get(f"/retailer/shipments/{listed[0]['shipmentId']}")).json()

    assert [s["order"]["orderId"] for s in listed] == [second["orderId"], first["orderId"]]  # newest first
    assert [s["order"]["orderId"] for s in by_order] == [first["orderId"]]
    assert detail["transport"]["trackAndTrace"] == "3SBOL0001"
    assert detail["transport"]["transportId"].isdigit()
    assert detail["shipmentItems"][0]["quantityShipped"] == 1
    assert detail["shipmentDetails"] == second["shipmentDetails"]
    assert (await bol.get("/retailer/shipments", **{"fulfilment-method": "FBB"})).json() == {"shipments": []}
    assert (await bol.get("/retailer/shipments/999")).status_code == 404


async def test_without_quantity_the_whole_open_quantity_ships(bol, sandbox, clock: FakeClock):
    order = sandbox.place_order(items=[{**MUG, "quantity": 3}])
    item = order["orderItems"][0]["orderItemId"]
    # Fields and options bol does not know (yet) are ignored, as bol does.
    await bol.ship({"orderItemId": item, "quantity": 1, "futureField": True}, futureOption="x")
    await bol.ship({"orderItemId": item})
    clock.advance(1)

    assert [s["items"][0]["quantity"] for s in sandbox.shipments()] == [1, 2]
    assert sandbox.order(order["orderId"])["orderItems"][0]["quantityShipped"] == 3


async def test_shipping_more_than_is_open_fails_and_changes_nothing(bol, sandbox, clock: FakeClock):
    order = sandbox.place_order(items=[{**MUG, "quantity": 2}])
    item = order["orderItems"][0]["orderItemId"]

    accepted = await bol.ship({"orderItemId": item, "quantity": 3})
    assert accepted.status_code == 202  # bol only finds out later
    clock.advance(1)
    process = await bol.process(accepted.json()["processStatusId"])

    assert process["status"] == "FAILURE"
    assert process["errorMessage"] == f"Order item {item}: cannot ship 3, only 2 still open."
    assert sandbox.order(order["orderId"])["orderItems"][0]["quantityShipped"] == 0
    assert sandbox.shipments() == []


async def test_a_second_shipment_of_the_same_item_fails_once_the_first_went_through(bol, sandbox, clock: FakeClock):
    order = sandbox.place_order(items=[{**MUG, "quantity": 1}])
    item = order["orderItems"][0]["orderItemId"]
    first = (await bol.ship({"orderItemId": item})).json()
    second = (await bol.ship({"orderItemId": item})).json()
    clock.advance(1)

    # Both were due at once: they finish in the order bol accepted them.
    assert (await bol.process(first["processStatusId"]))["status"] == "SUCCESS"
    failed = await bol.process(second["processStatusId"])
    assert failed["status"] == "FAILURE" and "no open quantity" in failed["errorMessage"]
    assert len(sandbox.shipments()) == 1


async def test_unknown_items_and_items_of_two_orders_fail(bol, sandbox, clock: FakeClock):
    one, two = (sandbox.place_order(items=[{**MUG, "quantity": 1}]) for _ in range(2))
    unknown = (await bol.ship({"orderItemId": "2999999999"})).json()
    mixed = (
        await bol.ship(
            {"orderItemId": one["orderItems"][0]["orderItemId"]}, {"orderItemId": two["orderItems"][0]["orderItemId"]}
        )
    ).json()
    clock.advance(1)

    assert (await bol.process(unknown["processStatusId"]))["errorMessage"] == "Order item 2999999999 does not exist."
    assert "same order" in (await bol.process(mixed["processStatusId"]))["errorMessage"]
    assert sandbox.shipments() == []


async def test_invalid_shipment_requests_are_400_with_named_violations(bol):
    too_many = await bol.ship(*({"orderItemId": str(2_000_000_000 + n)} for n in range(101)))
    long_reference = await bol.ship({"orderItemId": "1"}, shipmentReference="x" * 91)
    empty_reference = await bol.ship({"orderItemId": "1"}, shipmentReference="")
    no_transport = await bol.send("POST", "/retailer/shipments", {"orderItems": [{"orderItemId": "1"}]})
    no_code = await bol.send("POST", "/retailer/shipments", {"orderItems": [{"orderItemId": ""}], "transport": {}})

    def names(response) -> list[str]:
        assert response.status_code == 400, response.text
        return [v["name"] for v in response.json()["violations"]]

    assert names(too_many) == ["orderItems"]
    assert names(long_reference) == ["shipmentReference"]
    assert names(empty_reference) == ["shipmentReference"]
    assert names(no_transport) == ["transport"]
    assert names(no_code) == ["orderItems[0].orderItemId", "transport.transporterCode"]
    assert no_code.json()["violations"][1]["reason"].startswith("Request contains invalid value(s): 'null'")


async def test_a_body_that_is_not_json_is_a_bad_request(bol):
    headers = {**await bol.headers(), "Content-Type": "application/vnd.retailer.v10+json"}
    broken = await bol.http.post("/retailer/shipments", content=b"{oops", headers=headers)
    empty = await bol.http.post("/retailer/shipments", content=b"", headers=headers)

    assert broken.status_code == 400 and broken.json()["violations"][0]["name"] == "body"
    assert empty.status_code == 400 and empty.json()["violations"][0]["name"] == "body"


async def test_shipping_with_a_label_the_sandbox_never_sold_fails(bol, sandbox, clock: FakeClock):
    order = sandbox.place_order(items=[{**MUG, "quantity": 1}])
    body = {"orderItems": [{"orderItemId": order["orderItems"][0]["orderItemId"]}], "shippingLabelId": "lbl-1"}
    accepted = (await bol.send("POST", "/retailer/shipments", body)).json()
    clock.advance(1)
    assert (await bol.process(accepted["processStatusId"]))["errorMessage"] == "Shipping label lbl-1 does not exist."
