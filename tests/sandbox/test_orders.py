"""GET /retailer/orders and GET /retailer/orders/{order-id}."""

import re

from tests.sandbox.helpers import LAMP, MUG, FakeClock, client_for, sandbox_app, state


async def test_open_fbr_orders_are_listed_by_default(bol, sandbox):
    fbr = sandbox.place_order(items=[{**MUG, "quantity": 1}])
    sandbox.place_order(items=[{**MUG, "quantity": 1, "fulfilmentMethod": "FBB"}])

    response = await bol.get("/retailer/orders")

    assert response.status_code == 200
    orders = response.json()["orders"]
    assert [o["orderId"] for o in orders] == [fbr["orderId"]]
    item = orders[0]["orderItems"][0]
    assert item["fulfilmentMethod"] == "FBR" and item["fulfilmentStatus"] == "OPEN"
    assert len((await bol.get("/retailer/orders", **{"fulfilment-method": "ALL"})).json()["orders"]) == 2


async def test_pages_hold_50_orders_and_a_page_past_the_end_is_an_empty_object(bol, sandbox):
    placed = [sandbox.place_order(items=[{**MUG, "quantity": 1}])["orderId"] for _ in range(51)]

    first = (await bol.get("/retailer/orders", page=1)).json()["orders"]
    second = (await bol.get("/retailer/orders", page=2)).json()["orders"]
    past_the_end = await bol.get("/retailer/orders", page=3)

    assert len(first) == 50
    assert [o["orderId"] for o in first + second] == placed
    assert past_the_end.status_code == 200
    assert past_the_end.json() == {}  # no "orders" key at all, as bol sends it


async def test_no_orders_at_all_is_an_empty_object_too(bol):
    response = await bol.get("/retailer/orders")
    assert response.status_code == 200 and response.json() == {}


async def test_change_interval_lists_only_orders_with_a_recent_change(bol, sandbox, clock: FakeClock):
    old = sandbox.place_order(items=[{**MUG, "quantity": 1}])
    clock.advance(30 * 60)
    new = sandbox.place_order(items=[{**MUG, "quantity": 1}])

    recent = (await bol.get("/retailer/orders", **{"change-interval-minute": 10})).json()["orders"]
    assert [o["orderId"] for o in recent] == [new["orderId"]]

    clock.advance(30 * 60)
    sandbox.request_cancellation(old["orderId"])  # the buyer's request changes the old order
    recent = (await bol.get("/retailer/orders", **{"change-interval-minute": 10})).json()["orders"]
    assert [o["orderId"] for o in recent] == [old["orderId"]]
    assert recent[0]["orderItems"][0]["cancellationRequest"] is True


async def test_change_interval_above_60_minutes_is_a_bad_request(bol):
    response = await bol.get("/retailer/orders", **{"change-interval-minute": 61})

    assert response.status_code == 400
    violation = response.json()["violations"][0]
    assert violation["name"] == "change-interval-minute"
    assert violation["reason"].startswith("Request contains invalid value(s): '61'")


async def test_latest_change_date_filters_on_the_day_of_the_last_change(bol, sandbox, clock: FakeClock):
    monday = sandbox.place_order(items=[{**MUG, "quantity": 1}])
    clock.advance(24 * 3600)
    sandbox.place_order(items=[{**MUG, "quantity": 1}])

    found = (await bol.get("/retailer/orders", **{"latest-change-date": "2025-03-03"})).json()["orders"]
    bad = await bol.get("/retailer/orders", **{"latest-change-date": "03-03-2025"})

    assert [o["orderId"] for o in found] == [monday["orderId"]]
    assert bad.status_code == 400 and bad.json()["violations"][0]["name"] == "latest-change-date"


async def test_status_filter_follows_shipped_and_open_quantities(bol, sandbox, clock: FakeClock):
    order = sandbox.place_order(items=[{**MUG, "quantity": 2}])
    item = order["orderItems"][0]["orderItemId"]
    assert (await bol.get("/retailer/orders", status="SHIPPED")).json() == {}

    await bol.ship({"orderItemId": item, "quantity": 1})
    clock.advance(1)
    partly = (await bol.get("/retailer/orders", status="OPEN")).json()["orders"]
    assert partly[0]["orderItems"][0]["quantityShipped"] == 1  # still open: one to go

    await bol.ship({"orderItemId": item})
    clock.advance(1)
    assert (await bol.get("/retailer/orders", status="OPEN")).json() == {}
    shipped = (await bol.get("/retailer/orders", status="SHIPPED")).json()["orders"]
    assert shipped[0]["orderItems"][0]["fulfilmentStatus"] == "HANDLED"


async def test_an_order_has_buyer_prices_and_fulfilment_details(bol, sandbox, clock: FakeClock):
    order = sandbox.place_order(items=[{**MUG, "quantity": 2}, {**LAMP, "quantity": 1}], latestDeliveryDays=3)

    response = await bol.get(f"/retailer/orders/{order['orderId']}")

    assert response.status_code == 200
    body = response.json()
    assert body == order  # the control API answers with the same JSON
    details = body["shipmentDetails"]
    assert re.fullmatch(r"\d{4}[A-Z]{2}", details["zipCode"]) and details["countryCode"] == "NL"
    assert re.fullmatch(r"[a-z0-9]+@verkopen\.bol\.com", details["email"])
    assert body["billingDetails"]["surname"] == details["surname"]
    mug = body["orderItems"][0]
    assert mug["unitPrice"] == 12.95 and mug["totalPrice"] == 25.9 and mug["commission"] > 0
    assert mug["offer"]["reference"] == "MUG-BLUE" and mug["product"]["title"] == "Blue enamel mug"
    assert mug["fulfilment"]["latestDeliveryDate"] == "2025-03-06"
    assert mug["fulfilment"]["distributionParty"] == "RETAILER"
    assert mug["quantityShipped"] == 0 and mug["quantityCancelled"] == 0


async def test_belgian_buyers_have_belgian_addresses(sandbox):
    order = sandbox.place_order(items=[{**MUG, "quantity": 1}], country_code="BE")
    details = order["shipmentDetails"]
    assert details["countryCode"] == "BE" and re.fullmatch(r"\d{4}", details["zipCode"])
    assert details["language"] in ("nl-BE", "fr-BE")


async def test_buyers_are_derived_from_seed_and_order_id(clock: FakeClock):
    def buyer(app) -> dict:
        return state(app).place_order(orderId="1111111111", items=[{**MUG, "quantity": 1}])["shipmentDetails"]

    assert buyer(sandbox_app(clock)) == buyer(sandbox_app(clock))
    assert buyer(sandbox_app(clock)) != buyer(sandbox_app(clock, seed=8))


async def test_an_unknown_order_is_a_404_problem(bol):
    response = await bol.get("/retailer/orders/4000000000")

    assert response.status_code == 404
    assert response.json()["type"] == "https://api.bol.com/problems"
    assert "4000000000" in response.json()["detail"]


async def test_unknown_query_parameters_are_ignored(bol, sandbox):
    sandbox.place_order(items=[{**MUG, "quantity": 1}])
    response = await bol.get("/retailer/orders", **{"vvb-only": "false", "brand-new-filter": "x"})
    assert response.status_code == 200 and len(response.json()["orders"]) == 1


async def test_ids_are_numeric_and_never_repeat_not_even_in_a_new_sandbox(clock: FakeClock):
    # Engines build durable ids (Temporal workflow ids) from these: a restarted
    # sandbox handing out the same order id again would alias an old order.
    orders = []
    for app in (sandbox_app(clock), sandbox_app(clock)):
        async with client_for(app) as http:
            body = {"items": [{**MUG, "quantity": 1}]}
            orders += [(await http.post("/_sandbox/orders", json=body)).json() for _ in range(3)]
    order_ids = [o["orderId"] for o in orders]
    item_ids = [o["orderItems"][0]["orderItemId"] for o in orders]
    assert all(i.isdigit() for i in order_ids + item_ids)
    assert len(set(order_ids + item_ids)) == 12
