"""The bol sandbox's offer endpoints, driven through the spec validator: what
the sandbox answers must be what bol's OpenAPI documents say bol answers."""

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from tests.contract.openapi import BOL_CSV, BOL_JSON, ContractValidator, load_spec
from tests.sandbox.helpers import (
    BASE_URL,
    CSV_MEDIA_TYPE,
    LAMP,
    MEDIA_TYPE,
    MUG_OFFER,
    BolClient,
    FakeClock,
    offer_created,
    sandbox_app,
)


@pytest.fixture
def validator() -> ContractValidator:
    return ContractValidator()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest_asyncio.fixture
async def bol(validator: ContractValidator, clock: FakeClock) -> AsyncIterator[BolClient]:
    app = sandbox_app(clock, unpublishable_eans=[LAMP["ean"]])
    transport = validator.transport(httpx.ASGITransport(app=app))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        yield BolClient(http)


def operations(validator: ContractValidator) -> set[str]:
    """ "METHOD path" of every exchange the validator checked."""
    return {entry.rsplit(" -> ", 1)[0] for entry in validator.checked}


async def test_every_offer_endpoint_answers_as_the_spec_says(
    bol: BolClient, validator: ContractValidator, clock: FakeClock
):
    creating = (await bol.create_offer()).json()
    await bol.get(f"/shared/process-status/{creating['processStatusId']}")  # PENDING, no entityId
    clock.advance(1)
    offer_id = (await bol.process(creating["processStatusId"]))["entityId"]  # SUCCESS
    await bol.get("/shared/process-status", **{"entity-id": offer_id, "event-type": "CREATE_OFFER"})
    second_hand = await offer_created(
        bol, clock, condition={"name": "GOOD", "category": "SECONDHAND", "comment": "Chipped rim."}
    )
    unpublishable = await offer_created(
        bol, clock, ean=LAMP["ean"], reference="LAMP", unknownProductTitle="Desk lamp", fulfilment={"method": "FBB"}
    )
    for shown in (offer_id, second_hand, unpublishable):
        await bol.get(f"/retailer/offers/{shown}")

    path = f"/retailer/offers/{offer_id}"
    update = {"reference": "MUG-2", "onHoldByRetailer": True, "fulfilment": {"method": "FBR", "deliveryCode": "VVB"}}
    writes = [
        await bol.send("PUT", path, update),
        await bol.send("PUT", f"{path}/price", {"pricing": {"bundlePrices": [{"quantity": 1, "unitPrice": 11.99}]}}),
        await bol.send("PUT", f"{path}/stock", {"amount": 0, "managedByRetailer": False}),
        await bol.send("POST", "/retailer/offers/export", {"format": "CSV"}),
    ]
    clock.advance(1)
    ids = [write.json()["processStatusId"] for write in writes]
    await bol.send("POST", "/shared/process-status", {"processStatusQueries": [{"processStatusId": i} for i in ids]})
    await bol.get(path)  # on hold, no stock: not visible
    report_id = (await bol.process(ids[-1]))["entityId"]
    export = await bol.offer_export(report_id)
    deleting = (await bol.delete(path)).json()
    clock.advance(1)
    await bol.process(deleting["processStatusId"])
    await bol.get("/shared/process-status", **{"entity-id": offer_id, "event-type": "DELETE_OFFER"})

    validator.assert_clean()
    assert export.headers["content-type"] == CSV_MEDIA_TYPE
    assert operations(validator) >= {
        "POST /retailer/offers",
        f"GET {path}",
        f"PUT {path}",
        f"PUT {path}/price",
        f"PUT {path}/stock",
        f"DELETE {path}",
        "POST /retailer/offers/export",
        f"GET /retailer/offers/export/{report_id}",
    }


async def test_offer_error_responses_answer_as_the_spec_says(
    bol: BolClient, validator: ContractValidator, clock: FakeClock
):
    http = bol.http
    offer_id = await offer_created(bol, clock)
    exporting = (await bol.send("POST", "/retailer/offers/export", {"format": "CSV"})).json()
    clock.advance(1)
    report_id = (await bol.process(exporting["processStatusId"]))["entityId"]
    path = f"/retailer/offers/{offer_id}"
    assert validator.errors == []
    start = len(validator.checked)
    # Deliberately broken requests: the validator must flag each, and the answer must still match the spec.
    await bol.create_offer(stock={"amount": 1000, "managedByRetailer": True})  # 400: maximum
    await bol.create_offer(pricing={"bundlePrices": [{"quantity": q, "unitPrice": 20 - q} for q in range(1, 6)]})
    await bol.create_offer(condition={"name": "BROKEN"})  # 400: enum
    await bol.send("PUT", path, {"reference": "no fulfilment"})  # 400: required
    await bol.send("PUT", f"{path}/price", {"pricing": {"bundlePrices": [{"quantity": 1, "unitPrice": 0.5}]}})
    await bol.send("PUT", f"{path}/stock", {"amount": -1, "managedByRetailer": True})  # 400: minimum
    await bol.send("POST", "/retailer/offers/export", {"format": "XLSX"})  # 400: enum
    headers = {**await bol.headers(), "Content-Type": "application/json"}
    await http.put(f"{path}/stock", json={"amount": 1, "managedByRetailer": True}, headers=headers)  # 415
    broken = len(validator.request_errors)

    # Within the schema, against bol's prose rules: the validator cannot tell, the sandbox can.
    prices = [{"quantity": 1, "unitPrice": 10}, {"quantity": 2, "unitPrice": 10.5}]
    await bol.create_offer(pricing={"bundlePrices": prices})  # 400: prices must decrease
    await bol.create_offer(condition={"name": "NEW", "comment": "Never used."})  # 400: comment on NEW
    await bol.get("/retailer/offers/6ff736b5-cdd0-4150-8c67-78269ee986f5")  # 404
    await bol.offer_export("9123456789")  # 404
    await bol.offer_export(report_id, accept=MEDIA_TYPE)  # 406: the spec has no say on Accept
    stock_path = "/retailer/offers/{offer-id}/stock"
    for status in (500, 503):
        await http.post("/_sandbox/faults", json={"path": stock_path, "kind": "status", "status": status, "times": 1})
        await bol.send("PUT", f"{path}/stock", {"amount": 1, "managedByRetailer": True})
    await http.post("/_sandbox/faults", json={"path": stock_path, "kind": "rate_limit", "times": 1})
    await bol.send("PUT", f"{path}/stock", {"amount": 1, "managedByRetailer": True})  # 429

    assert broken == 8 and len(validator.request_errors) == 8, validator.request_errors
    assert validator.response_errors == []
    answered = [entry.rsplit(" -> ", 1)[1] for entry in validator.checked[start:]]
    assert answered == ["400"] * 7 + ["415"] + ["400"] * 2 + ["404"] * 2 + ["406", "500", "503", "429"]


async def test_the_validator_checks_the_media_type_of_an_export(validator: ContractValidator):
    headers = {"Authorization": "Bearer t", "Accept": CSV_MEDIA_TYPE}
    request = httpx.Request("GET", f"{BASE_URL}/retailer/offers/export/1", headers=headers)
    as_json = httpx.Response(200, json={"offers": []}, headers={"Content-Type": MEDIA_TYPE}, request=request)
    as_csv = httpx.Response(200, text="offerId\n", headers={"Content-Type": CSV_MEDIA_TYPE}, request=request)

    validator.validate_response(as_csv)
    with pytest.raises(AssertionError, match="get-offer-export"):
        validator.validate_response(as_json)


async def test_the_validator_rejects_an_offer_that_breaks_the_spec(validator: ContractValidator):
    request = httpx.Request("GET", f"{BASE_URL}/retailer/offers/1", headers={"Accept": MEDIA_TYPE})
    body = {"offerId": "1", "ean": MUG_OFFER["ean"], "onHoldByRetailer": False, "stock": {"amount": 1}}
    response = httpx.Response(200, json=body, headers={"Content-Type": MEDIA_TYPE}, request=request)

    with pytest.raises(AssertionError) as failure:
        validator.validate_response(response)

    message = str(failure.value)
    assert "get-offer [GET /retailer/offers/{offer-id}]" in message
    assert "'notPublishableReasons' is a required property" in message
    assert "at stock: 'managedByRetailer' is a required property" in message


def test_csv_reports_are_declared_as_csv_with_json_problems():
    paths = load_spec("bol-retailer-v10")["paths"]

    for path in ("/retailer/offers/export/{report-id}", "/retailer/offers/unpublished/{report-id}"):
        responses = paths[path]["get"]["responses"]
        assert responses["200"]["content"] == {BOL_CSV: {"schema": {"type": "string"}}}
        assert set(responses["404"]["content"]) == {BOL_JSON}
        assert set(responses["400"]["content"]) == {BOL_JSON}
    # Operations that answer JSON are left alone.
    assert set(paths["/retailer/offers/{offer-id}"]["get"]["responses"]["200"]["content"]) == {BOL_JSON}
