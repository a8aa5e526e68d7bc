"""Offers: POST /retailer/offers, GET/PUT/DELETE /retailer/offers/{offer-id},
the price and stock updates, the history of changes, drift in the seller
portal, and faults on the offer paths."""

import pytest

from tests.sandbox.helpers import LAMP, MUG, MUG_OFFER, FakeClock, offer_created

STOCK = {"amount": 4, "managedByRetailer": True}
PRICE = {"pricing": {"bundlePrices": [{"quantity": 1, "unitPrice": 9.99}]}}
UPDATE = {"reference": "MUG-BLUE", "onHoldByRetailer": True, "fulfilment": {"method": "FBR", "deliveryCode": "2-3d"}}


async def test_an_offer_is_pending_then_created_and_named_only_then(bol, sandbox, clock: FakeClock):
    accepted = await bol.create_offer()

    assert accepted.status_code == 202
    pending = accepted.json()
    assert (pending["status"], pending["eventType"]) == ("PENDING", "CREATE_OFFER")
    # bol fills entityId for POSTs only on SUCCESS.
    assert "entityId" not in pending
    clock.advance(0.4)
    assert "entityId" not in await bol.process(pending["processStatusId"])
    assert sandbox.offers() == []

    clock.advance(0.1)
    done = await bol.process(pending["processStatusId"])
    assert done["status"] == "SUCCESS"
    offer_id = done["entityId"]
    offer = await bol.get(f"/retailer/offers/{offer_id}")
    assert offer.status_code == 200
    assert offer.json() == {
        "offerId": offer_id,
        "ean": MUG["ean"],
        "reference": "MUG-BLUE",
        "onHoldByRetailer": False,
        "pricing": {"bundlePrices": [{"quantity": 1, "unitPrice": 12.95}, {"quantity": 6, "unitPrice": 11.5}]},
        "stock": {"amount": 10, "correctedStock": 10, "managedByRetailer": True},
        "fulfilment": {"method": "FBR", "deliveryCode": "1-2d"},
        "store": {"productTitle": f"Product {MUG['ean']}", "visible": [{"countryCode": "NL"}, {"countryCode": "BE"}]},
        "condition": {"name": "NEW", "category": "NEW"},
        "notPublishableReasons": [],
    }
    found = await bol.get("/shared/process-status", **{"entity-id": offer_id, "event-type": "CREATE_OFFER"})
    assert [p["processStatusId"] for p in found.json()["processStatuses"]] == [pending["processStatusId"]]


async def test_creation_is_the_first_entry_of_every_tracked_field(bol, sandbox, clock: FakeClock):
    offer_id = await offer_created(bol, clock)

    at = "2025-03-03T09:00:00.500000Z"  # the process's due time, not when anyone looked
    assert sandbox.offer(offer_id)["history"] == [
        {"at": at, "field": "created", "value": {"ean": MUG["ean"], "condition": "NEW"}},
        {"at": at, "field": "stock", "value": 10},
        {"at": at, "field": "price", "value": "12.95"},
        {"at": at, "field": "onHold", "value": False},
        {"at": at, "field": "deliveryCode", "value": "1-2d"},
    ]


async def test_unknown_offers_are_404_problems(bol, sandbox, clock: FakeClock):
    pending = (await bol.create_offer()).json()
    missing = await bol.get("/retailer/offers/6ff736b5-cdd0-4150-8c67-78269ee986f5")

    assert missing.status_code == 404 and missing.json()["title"] == "Not Found"
    clock.advance(1)
    offer_id = (await bol.process(pending["processStatusId"]))["entityId"]
    assert (await bol.get(f"/retailer/offers/{offer_id}")).status_code == 200


async def test_a_second_offer_for_the_same_ean_and_condition_fails(bol, sandbox, clock: FakeClock):
    first = await offer_created(bol, clock)
    duplicate = (await bol.create_offer(reference="OTHER")).json()
    second_hand = (await bol.create_offer(condition={"name": "AS_NEW", "comment": "Box opened."})).json()
    clock.advance(1)

    failed = await bol.process(duplicate["processStatusId"])
    assert failed["status"] == "FAILURE" and "entityId" not in failed
    assert failed["errorMessage"] == f"An offer for EAN {MUG['ean']} in condition NEW already exists (offer {first})."
    used = await bol.process(second_hand["processStatusId"])
    assert used["status"] == "SUCCESS"
    assert (await bol.get(f"/retailer/offers/{used['entityId']}")).json()["condition"] == {
        "name": "AS_NEW",
        "category": "SECONDHAND",
        "comment": "Box opened.",
    }
    assert len(sandbox.offers()) == 2


async def test_an_offer_can_be_created_again_once_deleted(bol, sandbox, clock: FakeClock):
    first = await offer_created(bol, clock)
    await bol.delete(f"/retailer/offers/{first}")
    clock.advance(1)

    second = await offer_created(bol, clock)

    assert second != first
    assert [(o["offerId"], o["deleted"]) for o in sandbox.offers()] == [(first, True), (second, False)]


@pytest.mark.parametrize(
    ("ean", "message"),
    [
        ("8710103917886", "EAN 8710103917886 is not valid: its check digit is wrong."),
        ("MUG-1", "EAN MUG-1 is not valid: an EAN has 8, 12, 13 or 14 digits."),
    ],
)
async def test_an_ean_with_a_wrong_check_digit_fails(bol, sandbox, clock: FakeClock, ean: str, message: str):
    accepted = (await bol.create_offer(ean=ean)).json()
    clock.advance(1)

    failed = await bol.process(accepted["processStatusId"])
    assert (failed["status"], failed["errorMessage"]) == ("FAILURE", message)
    assert sandbox.offers() == []


# Each write to an offer: (method, path under the offer, body, event type,
# whether GET shows it done — None when the offer is gone).
WRITES = {
    "stock": ("PUT", "/stock", STOCK, "UPDATE_OFFER_STOCK", lambda offer: offer["stock"]["amount"] == 4),
    "price": ("PUT", "/price", PRICE, "UPDATE_OFFER_PRICE", lambda offer: offer["pricing"] == PRICE["pricing"]),
    "offer": ("PUT", "", UPDATE, "UPDATE_OFFER", lambda offer: offer["fulfilment"]["deliveryCode"] == "2-3d"),
    "delete": ("DELETE", "", None, "DELETE_OFFER", lambda offer: offer is None),
}


@pytest.mark.parametrize("kind", sorted(WRITES))
async def test_a_write_takes_effect_only_when_its_process_finishes(bol, sandbox, clock: FakeClock, kind: str):
    method, suffix, body, event_type, done = WRITES[kind]
    offer_id = await offer_created(bol, clock)
    clock.advance(10)

    async def shown() -> dict | None:
        response = await bol.get(f"/retailer/offers/{offer_id}")
        return response.json() if response.status_code == 200 else None

    path = f"/retailer/offers/{offer_id}{suffix}"
    accepted = await (bol.delete(path) if body is None else bol.send(method, path, body))

    assert accepted.status_code == 202
    assert (accepted.json()["eventType"], accepted.json()["entityId"]) == (event_type, offer_id)
    clock.advance(0.4)
    assert not done(await shown())
    clock.advance(0.1)
    assert done(await shown())
    assert (await bol.process(accepted.json()["processStatusId"]))["status"] == "SUCCESS"


async def test_every_change_is_recorded_at_the_moment_its_process_was_due(bol, sandbox, clock: FakeClock):
    offer_id = await offer_created(bol, clock)  # due 09:00:00.5; the clock is at 09:00:01
    await bol.send("PUT", f"/retailer/offers/{offer_id}/stock", STOCK)  # due 09:00:01.5
    clock.advance(2)
    await bol.send("PUT", f"/retailer/offers/{offer_id}/price", PRICE)  # due 09:00:03.5
    clock.advance(2)
    await bol.send("PUT", f"/retailer/offers/{offer_id}", UPDATE)  # due 09:00:05.5
    clock.advance(2)
    await bol.delete(f"/retailer/offers/{offer_id}")  # due 09:00:07.5
    # Looked at much later: the times stay those the changes took effect.
    clock.advance(3600)

    history = sandbox.offer(offer_id)["history"]

    assert history[5:] == [
        {"at": "2025-03-03T09:00:01.500000Z", "field": "stock", "value": 4},
        {"at": "2025-03-03T09:00:03.500000Z", "field": "price", "value": "9.99"},
        {"at": "2025-03-03T09:00:05.500000Z", "field": "onHold", "value": True},
        {"at": "2025-03-03T09:00:05.500000Z", "field": "deliveryCode", "value": "2-3d"},
        {"at": "2025-03-03T09:00:07.500000Z", "field": "deleted", "value": None},
    ]
    assert (await bol.get(f"/retailer/offers/{offer_id}")).status_code == 404


async def test_stock_and_price_updates_are_recorded_even_when_nothing_changes(bol, sandbox, clock: FakeClock):
    offer_id = await offer_created(bol, clock)
    same_stock = {"amount": 10, "managedByRetailer": True}
    same_offer = {"reference": "MUG-BLUE", "fulfilment": {"method": "FBR", "deliveryCode": "1-2d"}}
    for suffix, body in (("/stock", same_stock), ("/price", {"pricing": MUG_OFFER["pricing"]}), ("", same_offer)):
        await bol.send("PUT", f"/retailer/offers/{offer_id}{suffix}", body)
    clock.advance(1)

    # An accepted stock or price update is news (a benchmark times them); a PUT
    # of the offer only notes the tracked fields it changed.
    assert [(c["field"], c["value"]) for c in sandbox.offer(offer_id)["history"][5:]] == [
        ("stock", 10),
        ("price", "12.95"),
    ]


async def test_updates_of_an_unknown_offer_fail(bol, sandbox, clock: FakeClock):
    unknown = "6ff736b5-cdd0-4150-8c67-78269ee986f5"
    path = f"/retailer/offers/{unknown}"
    accepted = [
        await bol.send("PUT", f"{path}/stock", STOCK),
        await bol.send("PUT", f"{path}/price", PRICE),
        await bol.send("PUT", path, UPDATE),
        await bol.delete(path),
    ]
    clock.advance(1)

    for response in accepted:
        assert response.status_code == 202
        failed = await bol.process(response.json()["processStatusId"])
        assert failed["status"] == "FAILURE"
        assert failed["errorMessage"] == f"The offer {unknown} does not exist."
        assert failed["entityId"] == unknown


async def test_updates_of_a_deleted_offer_fail(bol, sandbox, clock: FakeClock):
    offer_id = await offer_created(bol, clock)
    await bol.delete(f"/retailer/offers/{offer_id}")
    stock = (await bol.send("PUT", f"/retailer/offers/{offer_id}/stock", STOCK)).json()
    clock.advance(1)

    assert "does not exist" in (await bol.process(stock["processStatusId"]))["errorMessage"]
    assert [c["field"] for c in sandbox.offer(offer_id)["history"]][-1] == "deleted"


@pytest.mark.parametrize(
    ("change", "name"),
    [
        ({"pricing": {"bundlePrices": [{"quantity": 2, "unitPrice": 10}]}}, "pricing.bundlePrices"),
        (
            {"pricing": {"bundlePrices": [{"quantity": 1, "unitPrice": 10}, {"quantity": 1, "unitPrice": 9}]}},
            "pricing.bundlePrices",
        ),
        (
            {"pricing": {"bundlePrices": [{"quantity": 1, "unitPrice": 10}, {"quantity": 2, "unitPrice": 10}]}},
            "pricing.bundlePrices",
        ),
        (
            {"pricing": {"bundlePrices": [{"quantity": q, "unitPrice": 20 - q} for q in range(1, 6)]}},
            "pricing.bundlePrices",
        ),
        ({"pricing": {"bundlePrices": []}}, "pricing.bundlePrices"),
        ({"pricing": {"bundlePrices": [{"quantity": 1, "unitPrice": 0.99}]}}, "pricing.bundlePrices[0].unitPrice"),
        ({"pricing": {"bundlePrices": [{"quantity": 1, "unitPrice": 10000}]}}, "pricing.bundlePrices[0].unitPrice"),
        ({"pricing": {"bundlePrices": [{"quantity": 1, "unitPrice": 12.955}]}}, "pricing.bundlePrices[0].unitPrice"),
        ({"pricing": {"bundlePrices": [{"quantity": 25, "unitPrice": 10}]}}, "pricing.bundlePrices[0].quantity"),
        ({"stock": {"amount": 1000, "managedByRetailer": True}}, "stock.amount"),
        ({"stock": {"amount": -1, "managedByRetailer": True}}, "stock.amount"),
        ({"stock": {"amount": 1}}, "stock.managedByRetailer"),
        ({"reference": "R" * 101}, "reference"),
        ({"unknownProductTitle": "T" * 501}, "unknownProductTitle"),
        ({"fulfilment": {"method": "FBA"}}, "fulfilment.method"),
        ({"fulfilment": {"method": "FBR", "deliveryCode": "tomorrow"}}, "fulfilment.deliveryCode"),
        ({"condition": {"name": "BROKEN"}}, "condition.name"),
        ({"condition": {"name": "NEW", "comment": "Like new"}}, "condition.comment"),
        ({"condition": {"name": "GOOD", "comment": "Ask me: seller@example.com"}}, "condition.comment"),
        ({"ean": ""}, "ean"),
    ],
)
async def test_invalid_offers_are_400_naming_the_field(bol, sandbox, change: dict, name: str):
    response = await bol.create_offer(**change)

    assert response.status_code == 400, response.text
    assert [v["name"] for v in response.json()["violations"]] == [name]
    assert response.json()["violations"][0]["reason"].startswith("Request contains invalid value(s)")
    assert sandbox.process_statuses() == []


async def test_the_price_rules_are_worded_for_the_seller(bol):
    reasons = {}
    for label, prices in {
        "single": [{"quantity": 2, "unitPrice": 10}],
        "quantities": [{"quantity": 1, "unitPrice": 10}, {"quantity": 1, "unitPrice": 9}],
        "prices": [{"quantity": 1, "unitPrice": 10}, {"quantity": 2, "unitPrice": 11}],
    }.items():
        response = await bol.create_offer(pricing={"bundlePrices": prices})
        reasons[label] = response.json()["violations"][0]["reason"]

    assert reasons["single"].endswith("A bundle price for quantity 1 is required.")
    assert reasons["quantities"].endswith("Bundle quantities must be in increasing order.")
    assert reasons["prices"].endswith("Bundle prices must be in decreasing order.")


async def test_invalid_updates_are_400_naming_the_field(bol, sandbox, clock: FakeClock):
    offer_id = await offer_created(bol, clock)
    path = f"/retailer/offers/{offer_id}"
    cases = [
        ("PUT", f"{path}/stock", {"amount": 1000, "managedByRetailer": True}, ["amount"]),
        ("PUT", f"{path}/stock", {"amount": 3}, ["managedByRetailer"]),
        (
            "PUT",
            f"{path}/price",
            {"pricing": {"bundlePrices": [{"unitPrice": 1.001}]}},
            ["pricing.bundlePrices[0].quantity", "pricing.bundlePrices[0].unitPrice"],
        ),
        ("PUT", f"{path}/price", {}, ["pricing"]),
        ("PUT", path, {"reference": "x"}, ["fulfilment"]),
        ("PUT", path, {"fulfilment": {"method": "FBR", "deliveryCode": "VVB"}, "reference": "R" * 101}, ["reference"]),
    ]
    for method, url, body, names in cases:
        response = await bol.send(method, url, body)
        assert response.status_code == 400, (url, body)
        assert [v["name"] for v in response.json()["violations"]] == names


async def test_offers_for_an_unpublishable_ean_are_created_but_not_published(bol, http, sandbox, clock: FakeClock):
    assert (await http.put("/_sandbox/config", json={"unpublishable_eans": [LAMP["ean"]]})).status_code == 200
    lamp = await offer_created(bol, clock, ean=LAMP["ean"], reference="LAMP", unknownProductTitle="Desk lamp, brass")
    mug = await offer_created(bol, clock, unknownProductTitle="Blue enamel mug")

    shown = (await bol.get(f"/retailer/offers/{lamp}")).json()
    assert shown["notPublishableReasons"] == [
        {"code": "1000", "description": "The EAN is not known to bol.com or may not be sold on bol.com."}
    ]
    assert shown["store"] == {"visible": []}
    assert shown["unknownProductTitle"] == "Desk lamp, brass"
    known = (await bol.get(f"/retailer/offers/{mug}")).json()
    # "In case the product is known to bol.com, the unknown product title will not be stored."
    assert "unknownProductTitle" not in known and known["notPublishableReasons"] == []
    assert (await http.get("/_sandbox/config")).json()["unpublishable_eans"] == [LAMP["ean"]]


async def test_corrected_stock_counts_orders_after_the_last_update_when_managed_by_the_retailer(
    bol, sandbox, clock: FakeClock
):
    sandbox.place_order(items=[{**MUG, "quantity": 3}])  # before the offer existed
    offer_id = await offer_created(bol, clock)
    sandbox.place_order(items=[{**MUG, "quantity": 2}])
    sandbox.place_order(items=[{**LAMP, "quantity": 5}])  # another EAN
    fbb = sandbox.place_order(items=[{**MUG, "quantity": 1, "fulfilmentMethod": "FBB"}])  # bol's own stock

    assert (await bol.get(f"/retailer/offers/{offer_id}")).json()["stock"]["correctedStock"] == 8
    await bol.send("PUT", f"/retailer/offers/{offer_id}/stock", {"amount": 8, "managedByRetailer": True})
    clock.advance(1)
    assert (await bol.get(f"/retailer/offers/{offer_id}")).json()["stock"]["correctedStock"] == 8

    await bol.send("PUT", f"/retailer/offers/{offer_id}/stock", {"amount": 8, "managedByRetailer": False})
    clock.advance(1)
    # Not managed by the retailer: every open order counts, old ones too.
    assert (await bol.get(f"/retailer/offers/{offer_id}")).json()["stock"]["correctedStock"] == 3
    assert fbb["orderItems"][0]["fulfilment"]["method"] == "FBB"


async def test_shipped_and_cancelled_units_no_longer_count(bol, sandbox, clock: FakeClock):
    offer_id = await offer_created(bol, clock, stock={"amount": 5, "managedByRetailer": False})
    order = sandbox.place_order(items=[{**MUG, "quantity": 2}])
    other = sandbox.place_order(items=[{**MUG, "quantity": 1}])
    assert (await bol.get(f"/retailer/offers/{offer_id}")).json()["stock"]["correctedStock"] == 2

    await bol.ship({"orderItemId": order["orderItems"][0]["orderItemId"]})
    await bol.cancel(other["orderItems"][0]["orderItemId"])
    clock.advance(1)

    assert (await bol.get(f"/retailer/offers/{offer_id}")).json()["stock"]["correctedStock"] == 5


async def test_an_offer_is_not_for_sale_without_corrected_stock_or_when_on_hold(bol, sandbox, clock: FakeClock):
    offer_id = await offer_created(bol, clock, stock={"amount": 1, "managedByRetailer": True})
    sandbox.place_order(items=[{**MUG, "quantity": 1}])
    sold_out = (await bol.get(f"/retailer/offers/{offer_id}")).json()
    held = await offer_created(bol, clock, condition={"name": "GOOD"}, onHoldByRetailer=True)

    assert (sold_out["stock"]["correctedStock"], sold_out["store"]["visible"]) == (0, [])
    assert (await bol.get(f"/retailer/offers/{held}")).json()["store"]["visible"] == []


async def test_orders_for_an_offered_ean_carry_the_offer(bol, sandbox, clock: FakeClock):
    offer_id = await offer_created(bol, clock)

    bought = sandbox.place_order(items=[{"ean": MUG["ean"], "quantity": 1, "unitPrice": 12.95}])
    elsewhere = sandbox.place_order(items=[{**LAMP, "quantity": 1}])

    assert bought["orderItems"][0]["offer"] == {"offerId": offer_id, "reference": "MUG-BLUE"}
    assert elsewhere["orderItems"][0]["offer"]["offerId"] != offer_id


async def test_drift_in_the_seller_portal_shows_at_once_and_is_marked(bol, http, sandbox, clock: FakeClock):
    offer_id = await offer_created(bol, clock)
    clock.advance(60)

    drift = {"stock": 3, "price": "13.50", "onHoldByRetailer": True, "deliveryCode": "3-5d"}
    response = await http.post(f"/_sandbox/offers/{offer_id}/drift", json=drift)

    assert response.status_code == 200
    shown = (await bol.get(f"/retailer/offers/{offer_id}")).json()
    assert shown["stock"]["amount"] == 3
    assert shown["pricing"]["bundlePrices"] == [{"quantity": 1, "unitPrice": 13.5}, {"quantity": 6, "unitPrice": 11.5}]
    assert shown["onHoldByRetailer"] is True and shown["fulfilment"]["deliveryCode"] == "3-5d"
    at = "2025-03-03T09:01:01Z"
    assert response.json()["history"][5:] == [
        {"at": at, "field": "stock", "value": 3, "drift": True},
        {"at": at, "field": "price", "value": "13.50", "drift": True},
        {"at": at, "field": "onHold", "value": True, "drift": True},
        {"at": at, "field": "deliveryCode", "value": "3-5d", "drift": True},
    ]
    assert response.json() == sandbox.offer(offer_id)


async def test_drifted_stock_restarts_what_corrected_stock_counts(bol, sandbox, clock: FakeClock):
    offer_id = await offer_created(bol, clock)
    sandbox.place_order(items=[{**MUG, "quantity": 2}])
    clock.advance(1)

    drifted = sandbox.drift_offer(offer_id, stock=7)

    assert drifted["stock"] == {"amount": 7, "correctedStock": 7, "managedByRetailer": True}
    assert sandbox.drift_offer(offer_id, on_hold_by_retailer=True)["onHoldByRetailer"] is True


async def test_invalid_drift_is_refused(http, sandbox, clock: FakeClock, bol):
    offer_id = await offer_created(bol, clock)
    url = f"/_sandbox/offers/{offer_id}/drift"

    breaks_bundle = await http.post(url, json={"price": "11.00"})  # the 6-pack costs 11.50 a piece
    too_many = await http.post(url, json={"stock": 1000})
    nothing = await http.post(url, json={})
    typo = await http.post(url, json={"stok": 3})
    unknown = await http.post("/_sandbox/offers/nope/drift", json={"stock": 1})

    assert [r.status_code for r in (breaks_bundle, too_many, nothing, typo, unknown)] == [400, 400, 400, 400, 404]
    assert breaks_bundle.json()["violations"][0]["name"] == "price"
    assert "decreasing" in breaks_bundle.json()["violations"][0]["reason"]
    assert [v["name"] for v in too_many.json()["violations"]] == ["stock"]
    assert len(sandbox.offer(offer_id)["history"]) == 5


async def test_the_control_api_lists_offers_with_their_history(bol, http, sandbox, clock: FakeClock):
    kept = await offer_created(bol, clock)
    gone = await offer_created(bol, clock, condition={"name": "MODERATE"})
    await bol.delete(f"/retailer/offers/{gone}")
    clock.advance(1)

    listed = (await http.get("/_sandbox/offers")).json()
    one = (await http.get(f"/_sandbox/offers/{gone}")).json()

    assert [(o["offerId"], o["deleted"]) for o in listed] == [(kept, False), (gone, True)]
    assert one == listed[1] and one["history"][-1]["field"] == "deleted"
    assert (await http.get("/_sandbox/offers/nope")).status_code == 404
    assert (await http.post(f"/_sandbox/offers/{gone}/drift", json={"stock": 1})).status_code == 404
    await http.post("/_sandbox/reset")
    assert (await http.get("/_sandbox/offers")).json() == []


async def test_a_process_failure_fault_on_the_stock_path_spares_other_updates(bol, http, sandbox, clock: FakeClock):
    offer_id = await offer_created(bol, clock)
    # "{offer-id}" stands for any one path segment: every offer's stock updates, and nothing else.
    fault = {"path": "/retailer/offers/{offer-id}/stock", "kind": "process_failure", "times": 1}
    fault["errorMessage"] = "Stock could not be updated."
    assert (await http.post("/_sandbox/faults", json=fault)).status_code == 201

    price = (await bol.send("PUT", f"/retailer/offers/{offer_id}/price", PRICE)).json()
    offer = (await bol.send("PUT", f"/retailer/offers/{offer_id}", UPDATE)).json()
    stock = (await bol.send("PUT", f"/retailer/offers/{offer_id}/stock", STOCK)).json()
    retried = (await bol.send("PUT", f"/retailer/offers/{offer_id}/stock", {**STOCK, "amount": 5})).json()
    clock.advance(1)

    assert [(await bol.process(p["processStatusId"]))["status"] for p in (price, offer, stock, retried)] == [
        "SUCCESS",
        "SUCCESS",
        "FAILURE",
        "SUCCESS",
    ]
    assert (await bol.process(stock["processStatusId"]))["errorMessage"] == "Stock could not be updated."
    assert [c["value"] for c in sandbox.offer(offer_id)["history"] if c["field"] == "stock"] == [10, 5]


async def test_request_faults_on_the_stock_path(bol, sandbox, clock: FakeClock):
    offer_id = await offer_created(bol, clock)
    stock_path = "/retailer/offers/{offer-id}/stock"
    sandbox.add_fault(path=stock_path, kind="status", status=503, times=1)
    sandbox.add_fault(path=stock_path, kind="rate_limit", retryAfter=2, times=1)

    unavailable = await bol.send("PUT", f"/retailer/offers/{offer_id}/stock", STOCK)
    limited = await bol.send("PUT", f"/retailer/offers/{offer_id}/stock", STOCK)
    other = await bol.get(f"/retailer/offers/{offer_id}")
    accepted = await bol.send("PUT", f"/retailer/offers/{offer_id}/stock", STOCK)

    assert (unavailable.status_code, limited.status_code, other.status_code) == (503, 429, 200)
    assert limited.headers["Retry-After"] == "2"
    assert accepted.status_code == 202


async def test_a_method_and_prefix_fault_hits_every_offer_update(bol, sandbox, clock: FakeClock):
    offer_id = await offer_created(bol, clock)
    sandbox.add_fault(path="/retailer/offers/", method="PUT", kind="status", status=500)

    statuses = [
        (await bol.send("PUT", f"/retailer/offers/{offer_id}{suffix}", body)).status_code
        for suffix, body in (("/stock", STOCK), ("/price", PRICE), ("", UPDATE))
    ]

    assert statuses == [500, 500, 500]
    assert (await bol.get(f"/retailer/offers/{offer_id}")).status_code == 200


async def test_a_timed_out_stock_update_changes_nothing(bol, sandbox, clock: FakeClock):
    offer_id = await offer_created(bol, clock)
    sandbox.add_fault(path=f"/retailer/offers/{offer_id}/stock", kind="process_timeout", delaySeconds=30, times=1)

    stock = (await bol.send("PUT", f"/retailer/offers/{offer_id}/stock", STOCK)).json()
    clock.advance(29)
    assert (await bol.process(stock["processStatusId"]))["status"] == "PENDING"
    clock.advance(1)

    assert (await bol.process(stock["processStatusId"]))["status"] == "TIMEOUT"
    assert (await bol.get(f"/retailer/offers/{offer_id}")).json()["stock"]["amount"] == 10


async def test_a_slow_fault_delays_the_stock_update(bol, sandbox, clock: FakeClock):
    offer_id = await offer_created(bol, clock)
    sandbox.add_fault(path="/retailer/offers/{offer-id}/stock", kind="slow", delaySeconds=0.05, times=1)

    response = await bol.send("PUT", f"/retailer/offers/{offer_id}/stock", STOCK)

    assert response.status_code == 202
    assert sandbox.requests(f"/retailer/offers/{offer_id}/stock")[0]["status"] == 202


async def test_the_time_from_a_sale_to_the_accepted_stock_update_can_be_read_off(bol, sandbox, clock: FakeClock):
    offer_id = await offer_created(bol, clock)
    clock.advance(30)
    order = sandbox.place_order(items=[{**MUG, "quantity": 1}])  # 09:00:31
    clock.advance(2.25)
    await bol.send("PUT", f"/retailer/offers/{offer_id}/stock", {"amount": 9, "managedByRetailer": True})
    clock.advance(600)

    [update] = [c for c in sandbox.offer(offer_id)["history"] if c["field"] == "stock" and c["value"] == 9]

    assert order["orderPlacedDateTime"] == "2025-03-03T09:00:31Z"
    assert update["at"] == "2025-03-03T09:00:33.750000Z"  # 2.25 s later, plus the 0.5 s process


async def test_an_offer_update_keeps_the_texts_it_does_not_send(bol, sandbox, clock: FakeClock):
    offer_id = await offer_created(bol, clock, ean=LAMP["ean"], unknownProductTitle="Desk lamp, brass")
    sandbox.update_config(unpublishable_eans=[LAMP["ean"]])
    path = f"/retailer/offers/{offer_id}"

    await bol.send("PUT", path, {"fulfilment": {"method": "FBR", "deliveryCode": "1-2d"}})
    clock.advance(1)
    kept = (await bol.get(path)).json()
    await bol.send("PUT", path, {"reference": None, "fulfilment": {"method": "FBR"}})
    clock.advance(1)
    cleared = (await bol.get(path)).json()

    assert (kept["reference"], kept["unknownProductTitle"]) == ("MUG-BLUE", "Desk lamp, brass")
    assert "reference" not in cleared and "deliveryCode" not in cleared["fulfilment"]
    assert cleared["unknownProductTitle"] == "Desk lamp, brass"
