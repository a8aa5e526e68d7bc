"""The Kaufland sandbox's units and import-file endpoints, driven through the
spec validator: every answer is what Kaufland's OpenAPI document says."""

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from starter.demo_catalog import DEMO_PRODUCTS
from tests.contract.openapi import ContractValidator
from tests.kaufland.support import kaufland_sandbox_app

EAN = DEMO_PRODUCTS[0].ean
UNIT = {"id_offer": "MUG-1", "ean": EAN, "listing_price": 1299, "amount": 5, "handling_time": 1}


@pytest.fixture
def validator() -> ContractValidator:
    return ContractValidator(["kaufland-seller-v2"])


@pytest_asyncio.fixture
async def kaufland(validator: ContractValidator) -> AsyncIterator[httpx.AsyncClient]:
    app = kaufland_sandbox_app()
    transport = validator.transport(httpx.ASGITransport(app=app))
    async with httpx.AsyncClient(transport=transport, base_url="http://kaufland.sandbox/v2") as http:
        yield http


DE = {"storefront": "de"}


async def test_every_unit_endpoint_answers_as_the_spec_says(kaufland: httpx.AsyncClient, validator: ContractValidator):
    created = await kaufland.post("/units", params=DE, json=UNIT)
    assert created.status_code == 200
    id_unit = created.json()["data"]["id_unit"]
    assert (await kaufland.get("/units", params={**DE, "id_offer": "MUG-1", "embedded": "products"})).status_code == 200
    assert (await kaufland.get(f"/units/{id_unit}", params=DE)).status_code == 200
    patched = await kaufland.patch(
        f"/units/{id_unit}",
        params=DE,
        json={"amount": 2, "listing_price": 1399, "handling_time": 3, "status": "ONHOLD"},
    )
    data = patched.json()["data"]
    assert (data["amount"], data["listing_price"], data["handling_time"], data["status"]) == (2, 1399, 3, "ONHOLD")
    assert (await kaufland.delete(f"/units/{id_unit}", params=DE)).status_code == 204
    assert (await kaufland.get(f"/units/{id_unit}", params=DE)).status_code == 404
    validator.assert_clean()


async def test_refusals_name_the_field_in_kaufland_s_error_body(
    kaufland: httpx.AsyncClient, validator: ContractValidator
):
    too_cheap = await kaufland.post("/units", params=DE, json={**UNIT, "listing_price": 0})
    unknown_field = await kaufland.post("/units", params=DE, json={**UNIT, "price": 1299})
    no_storefront = await kaufland.get("/units")
    for response, field in ((too_cheap, "listing_price"), (unknown_field, "price"), (no_storefront, "storefront")):
        assert response.status_code == 400
        assert field in [e["field"] for e in response.json()["errors"]]
    await kaufland.post("/units", params=DE, json=UNIT)
    duplicate = await kaufland.post("/units", params=DE, json=UNIT)
    assert duplicate.json()["type"] == "/problems/already-exists"
    # The requests break the spec on purpose; the answers must not.
    assert not validator.response_errors, validator.response_errors


async def test_an_import_file_is_registered_and_followed_to_its_end(
    kaufland: httpx.AsyncClient, validator: ContractValidator
):
    # Nothing serves this URL: Kaufland reports the failed download on the file.
    registered = await kaufland.post(
        "/import-files/inventory-command", params=DE, json={"url": "http://127.0.0.1:9/nowhere.csv"}
    )
    assert registered.status_code == 201
    id_file = registered.json()["data"]["id_import_file"]
    status = ""
    for _ in range(100):
        status = (await kaufland.get(f"/import-files/inventory-command/{id_file}", params=DE)).json()["data"]["status"]
        if status.endswith("FAILED") or status == "IMPORTED":
            break
        await asyncio.sleep(0.02)
    assert status == "DOWNLOADING_FAILED"
    listed = await kaufland.get("/import-files/inventory-command", params=DE)
    assert [f["id_import_file"] for f in listed.json()["data"]] == [id_file]
    missing_url = await kaufland.post("/import-files/inventory-command", params=DE, json={})
    assert missing_url.status_code == 400
    assert not validator.response_errors, validator.response_errors
