"""Versioning by media type: Accept and Content-Type on the Retailer API."""

from tests.sandbox.helpers import MEDIA_TYPE


async def test_responses_are_v10_json(bol):
    response = await bol.get("/retailer/orders")
    assert response.headers["content-type"] == MEDIA_TYPE


async def test_a_wrong_or_missing_accept_header_is_406(bol):
    token = await bol.token()
    for accept in ("application/json", "*/*", "application/vnd.retailer.v9+json"):
        headers = {"Authorization": f"Bearer {token}", "Accept": accept}
        response = await bol.http.get("/retailer/orders", headers=headers)
        assert response.status_code == 406, accept
        assert response.json()["title"] == "Not Acceptable"


async def test_a_body_in_another_media_type_is_415(bol):
    headers = {**await bol.headers(), "Content-Type": "application/json"}
    response = await bol.http.post("/retailer/shipments", json={"orderItems": [{"orderItemId": "1"}]}, headers=headers)

    assert response.status_code == 415
    assert response.json()["status"] == 415


async def test_a_charset_parameter_is_fine(bol):
    headers = {**await bol.headers(), "Content-Type": f"{MEDIA_TYPE}; charset=UTF-8"}
    body = b'{"processStatusQueries": [{"processStatusId": "1"}]}'
    response = await bol.http.post("/shared/process-status", content=body, headers=headers)
    assert response.status_code == 200


async def test_unknown_endpoints_are_404_problems_behind_the_same_checks(bol):
    found = await bol.get("/retailer/no-such-thing")
    unauthenticated = await bol.http.get("/retailer/no-such-thing", headers={"Accept": MEDIA_TYPE})

    assert found.status_code == 404 and found.json()["type"] == "https://api.bol.com/problems"
    assert unauthenticated.status_code == 401
