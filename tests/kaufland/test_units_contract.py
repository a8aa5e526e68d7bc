"""The Kaufland sandbox's units and import-file endpoints, driven through the
spec validator: every answer is what Kaufland's OpenAPI document says."""

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from activities.marketplaces.kaufland.client import KauflandHttp
from starter.demo_catalog import DEMO_PRODUCTS
from tests.contract.openapi import ContractValidator
from tests.support import SandboxedKaufland, kaufland_channel

EAN = DEMO_PRODUCTS[0].ean
UNIT = {"id_offer": "MUG-1", "ean": EAN, "listing_price": 1299, "amount": 5, "handling_time": 1}


@pytest.fixture
def validator() -> ContractValidator:
    return ContractValidator(["kaufland-seller-v2"])


class Signed:
    """Signed calls that hand back every answer, refusals too."""

    def __init__(self, http: KauflandHttp):
        self.http = http

    async def request(self, method: str, path: str, params: dict | None = None, json: object = None) -> httpx.Response:
        everything = tuple(range(200, 600))
        return await self.http.call(method, path, params=params, json_body=json, ok=everything)

    async def get(self, path: str, params: dict | None = None) -> httpx.Response:
        return await self.request("GET", path, params)

    async def post(self, path: str, params: dict | None = None, json: object = None) -> httpx.Response:
        return await self.request("POST", path, params, json)

    async def patch(self, path: str, params: dict | None = None, json: object = None) -> httpx.Response:
        return await self.request("PATCH", path, params, json)

    async def delete(self, path: str, params: dict | None = None) -> httpx.Response:
        return await self.request("DELETE", path, params)


@pytest_asyncio.fixture
async def kaufland(validator: ContractValidator) -> AsyncIterator[Signed]:
    box = SandboxedKaufland.start(import_step_seconds=0.01)
    http = KauflandHttp(kaufland_channel(box.api_url), transport=validator.transport(box.transport))
    yield Signed(http)
    await http.aclose()


DE = {"storefront": "de"}


async def test_every_unit_endpoint_answers_as_the_spec_says(kaufland: Signed, validator: ContractValidator):
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


async def test_refusals_name_the_field_in_kaufland_s_error_body(kaufland: Signed, validator: ContractValidator):
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


async def test_an_import_file_is_registered_and_followed_to_its_end(kaufland: Signed, validator: ContractValidator):
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
