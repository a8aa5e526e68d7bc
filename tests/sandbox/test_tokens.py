"""POST /token and bearer tokens on the Retailer API."""

import re

import httpx

from tests.sandbox.helpers import MEDIA_TYPE, BolClient, FakeClock, client_for, sandbox_app

GRANT = {"grant_type": "client_credentials"}


async def test_client_credentials_give_a_bearer_token_for_299_seconds(http):
    response = await http.post("/token", data=GRANT, auth=("sandbox", "sandbox"))

    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("token_type", "expires_in", "scope")} == {
        "token_type": "Bearer",
        "expires_in": 299,
        "scope": "RETAILER",
    }
    assert re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+", body["access_token"])  # JWT-shaped


async def test_grant_type_may_come_in_the_query_string_and_ttl_follows_config(clock):
    async with client_for(sandbox_app(clock, token_ttl_seconds=60)) as http:
        response = await http.post("/token", params=GRANT, auth=("sandbox", "sandbox"))
    assert response.status_code == 200
    assert response.json()["expires_in"] == 60


async def test_credentials_may_come_as_form_fields(http):
    response = await http.post("/token", data={**GRANT, "client_id": "sandbox", "client_secret": "sandbox"})
    assert response.status_code == 200


async def test_wrong_credentials_are_refused_as_bol_does(http):
    response = await http.post("/token", data=GRANT, auth=("sandbox", "guess"))

    assert response.status_code == 401
    assert response.json() == {"error": "invalid_client", "error_description": "Bad client credentials"}


async def test_other_grant_types_are_refused(http):
    response = await http.post("/token", data={"grant_type": "password"}, auth=("sandbox", "sandbox"))
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


async def test_a_token_works_until_it_expires_allowing_one_second_of_skew(http, clock):
    bol = BolClient(http, refresh=False)
    await bol.token()
    clock.advance(299.9)
    assert (await bol.get("/retailer/orders")).status_code == 200

    clock.advance(2)
    response = await bol.get("/retailer/orders")

    assert response.status_code == 401
    body = response.json()
    assert body["title"] == "Expired JWT" and body["status"] == 401
    assert body["detail"] == (
        "JWT expired at 2025-03-03T09:04:59Z. Current time: 2025-03-03T09:05:01Z, "
        "a difference of 2900 milliseconds.  Allowed clock skew: 1000 milliseconds."
    )
    assert (await bol.get("/retailer/orders")).status_code == 401
    await bol.token(fresh=True)
    assert (await bol.get("/retailer/orders")).status_code == 200


async def test_missing_or_forged_tokens_are_401_problems(http):
    missing = await http.get("/retailer/orders", headers={"Accept": MEDIA_TYPE})
    forged = await http.get("/retailer/orders", headers={"Accept": MEDIA_TYPE, "Authorization": "Bearer a.b.c"})

    for response in (missing, forged):
        assert response.status_code == 401
        assert response.json()["type"] == "https://api.bol.com/problems"
    assert missing.json()["title"] == "Unauthorized"
    assert forged.json()["title"] == "Invalid JWT"


async def test_a_token_is_good_on_any_sandbox_with_the_same_credentials_only(clock: FakeClock):
    first, second, other = (
        sandbox_app(clock),
        sandbox_app(clock),
        sandbox_app(clock, client_secret="other"),
    )
    async with client_for(first) as http:
        token = await BolClient(http).token()
    headers = {"Authorization": f"Bearer {token}", "Accept": MEDIA_TYPE}

    async def status_on(app) -> int:
        async with client_for(app) as http:
            return (await http.get("/retailer/orders", headers=headers)).status_code

    # An engine keeps its token across a sandbox restart, as it would across bol deploys.
    assert await status_on(second) == 200
    assert await status_on(other) == 401


async def test_token_responses_are_not_cached(http: httpx.AsyncClient):
    response = await http.post("/token", data=GRANT, auth=("sandbox", "sandbox"))
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-type"].startswith("application/json")
