"""Returns: registered by the buyer (control API), listed and handled through
the Retailer API."""

import pytest

from sandbox.bol.problems import ProblemError
from tests.sandbox.helpers import MUG, FakeClock


@pytest.fixture
async def shipped(bol, sandbox, clock: FakeClock) -> dict:
    order = sandbox.place_order(items=[{**MUG, "quantity": 2}])
    await bol.ship({"orderItemId": order["orderItems"][0]["orderItemId"]})
    clock.advance(1)
    return order


async def test_a_registered_return_is_listed_as_unhandled(bol, http, shipped):
    item = shipped["orderItems"][0]["orderItemId"]
    assert (await bol.get("/retailer/returns", handled="false")).json() == {}

    body = {"orderItemId": item, "quantity": 1, "mainReason": "Verkeerd besteld", "customerComments": "Te groot"}
    registered = await http.post("/_sandbox/returns", json=body)

    assert registered.status_code == 201
    ids = registered.json()
    returns = (await bol.get("/retailer/returns", handled="false")).json()["returns"]
    assert [r["returnId"] for r in returns] == [ids["returnId"]]
    [ret_item] = returns[0]["returnItems"]
    assert ret_item["rmaId"] == ids["rmaId"] and ret_item["orderId"] == shipped["orderId"]
    assert (ret_item["expectedQuantity"], ret_item["handled"]) == (1, False)
    assert ret_item["returnReason"] == {"mainReason": "Verkeerd besteld", "customerComments": "Te groot"}
    assert (await bol.get("/retailer/returns", handled="true")).json() == {}

    detail = (await bol.get(f"/retailer/returns/{ids['returnId']}")).json()
    assert detail["returnItems"][0]["title"] == "Blue enamel mug"
    assert detail["returnItems"][0]["customerDetails"]["surname"] == shipped["shipmentDetails"]["surname"]


async def test_handling_a_return_records_the_result(bol, sandbox, shipped, clock: FakeClock):
    ids = sandbox.register_return(order_item_id=shipped["orderItems"][0]["orderItemId"], quantity=2)

    accepted = await bol.handle_return(ids["rmaId"], quantity=2)

    assert accepted.status_code == 202
    assert (accepted.json()["eventType"], accepted.json()["entityId"]) == ("HANDLE_RETURN_ITEM", ids["rmaId"])
    assert sandbox.returns()[0]["handled"] is False
    clock.advance(1)
    handled = (await bol.get("/retailer/returns", handled="true")).json()["returns"]
    [result] = handled[0]["returnItems"][0]["processingResults"]
    assert (result["quantity"], result["handlingResult"]) == (2, "RETURN_RECEIVED")
    assert result["processingResult"] == "ACCEPTED"
    assert (await bol.get("/retailer/returns", handled="false")).json() == {}
    record = sandbox.returns()[0]
    assert (record["handled"], record["handlingResult"], record["quantityReturned"]) == (True, "RETURN_RECEIVED", 2)


async def test_handling_an_unknown_rma_or_too_many_fails(bol, sandbox, shipped, clock: FakeClock):
    ids = sandbox.register_return(order_item_id=shipped["orderItems"][0]["orderItemId"], quantity=1)
    unknown = (await bol.handle_return("39999999")).json()
    too_many = (await bol.handle_return(ids["rmaId"], quantity=2)).json()
    clock.advance(1)

    assert (await bol.process(unknown["processStatusId"]))["status"] == "FAILURE"
    assert "only 1 expected" in (await bol.process(too_many["processStatusId"]))["errorMessage"]
    assert sandbox.returns()[0]["handled"] is False


async def test_invalid_handling_requests_are_400(bol):
    zero = await bol.handle_return("31234567", quantity=0)
    wrong = await bol.handle_return("31234567", result="KEPT_IT")
    not_a_number = await bol.handle_return("abc")

    assert [v["name"] for v in zero.json()["violations"]] == ["quantityReturned"]
    assert [v["name"] for v in wrong.json()["violations"]] == ["handlingResult"]
    assert [v["name"] for v in not_a_number.json()["violations"]] == ["rma-id"]


async def test_handled_returns_come_newest_first_and_unhandled_oldest_first(bol, sandbox, clock: FakeClock):
    order = sandbox.place_order(items=[{**MUG, "quantity": 2}])
    item = order["orderItems"][0]["orderItemId"]
    await bol.ship({"orderItemId": item})
    clock.advance(1)
    first = sandbox.register_return(order_item_id=item, quantity=1)
    clock.advance(1)
    second = sandbox.register_return(order_item_id=item, quantity=1)

    unhandled = (await bol.get("/retailer/returns", handled="false")).json()["returns"]
    assert [r["returnId"] for r in unhandled] == [first["returnId"], second["returnId"]]
    for ids in (first, second):
        await bol.handle_return(ids["rmaId"])
    clock.advance(1)
    handled = (await bol.get("/retailer/returns", handled="true")).json()["returns"]
    assert [r["returnId"] for r in handled] == [second["returnId"], first["returnId"]]


async def test_only_what_was_shipped_can_be_returned(sandbox, http, shipped):
    item = shipped["orderItems"][0]["orderItemId"]
    unshipped = sandbox.place_order(items=[{**MUG, "quantity": 1}])

    assert (await http.post("/_sandbox/returns", json={"orderItemId": item, "quantity": 3})).status_code == 409
    sandbox.register_return(order_item_id=item, quantity=2)
    with pytest.raises(ProblemError):
        sandbox.register_return(order_item_id=item, quantity=1)  # both already on their way back
    not_shipped = await http.post(
        "/_sandbox/returns", json={"orderItemId": unshipped["orderItems"][0]["orderItemId"], "quantity": 1}
    )
    assert not_shipped.status_code == 409
    assert (await http.post("/_sandbox/returns", json={"orderItemId": "1", "quantity": 1})).status_code == 404


async def test_an_unknown_return_is_404(bol):
    assert (await bol.get("/retailer/returns/123")).status_code == 404
