"""Every bol sandbox endpoint, driven through the spec validator: what the
sandbox answers must be what bol's OpenAPI documents say bol answers."""

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from tests.contract.openapi import SPEC_NAMES, ContractValidator, load_spec, spec_dir
from tests.sandbox.helpers import BASE_URL, LAMP, MEDIA_TYPE, MUG, BolClient, FakeClock, sandbox_app


@pytest.fixture
def validator() -> ContractValidator:
    return ContractValidator()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest_asyncio.fixture
async def bol(validator: ContractValidator, clock: FakeClock) -> AsyncIterator[BolClient]:
    app = sandbox_app(clock, rate_limits={"GET /retailer/returns": {"limit": 3, "window_seconds": 60}})
    transport = validator.transport(httpx.ASGITransport(app=app))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        yield BolClient(http)


def operations(validator: ContractValidator) -> set[str]:
    """ "METHOD path" of every exchange the validator checked."""
    return {entry.rsplit(" -> ", 1)[0] for entry in validator.checked}


async def test_every_endpoint_answers_as_the_spec_says(bol: BolClient, validator: ContractValidator, clock: FakeClock):
    http = bol.http
    assert (await bol.get("/retailer/orders")).json() == {}  # the empty page, `{}`
    placed = await http.post("/_sandbox/orders", json={"items": [{**MUG, "quantity": 3}, {**LAMP, "quantity": 1}]})
    order = placed.json()
    mug, lamp = (item["orderItemId"] for item in order["orderItems"])
    await http.post(f"/_sandbox/orders/{order['orderId']}/cancellation-requests", json={"orderItemIds": [lamp]})

    await bol.get("/retailer/orders", status="ALL", **{"fulfilment-method": "ALL", "change-interval-minute": 5})
    await bol.get("/retailer/orders", **{"latest-change-date": "2025-03-03"})
    await bol.get(f"/retailer/orders/{order['orderId']}")
    shipping = (await bol.ship({"orderItemId": mug, "quantity": 2}, shipmentReference="PICK-1")).json()
    no_reference = (await bol.ship({"orderItemId": mug})).json()
    cancelling = (await bol.cancel(lamp, "REQUESTED_BY_CUSTOMER")).json()
    await bol.get(f"/shared/process-status/{shipping['processStatusId']}")  # PENDING
    clock.advance(1)
    await bol.get(f"/shared/process-status/{shipping['processStatusId']}")  # SUCCESS
    await bol.get("/shared/process-status", **{"entity-id": mug, "event-type": "CREATE_SHIPMENT"})
    ids = [shipping["processStatusId"], no_reference["processStatusId"], cancelling["processStatusId"]]
    await bol.send("POST", "/shared/process-status", {"processStatusQueries": [{"processStatusId": i} for i in ids]})
    shipments = (await bol.get("/retailer/shipments", **{"order-id": order["orderId"]})).json()["shipments"]
    for shipment in shipments:
        await bol.get(f"/retailer/shipments/{shipment['shipmentId']}")
    await bol.get("/retailer/shipments", page=2)

    registered = (await http.post("/_sandbox/returns", json={"orderItemId": mug, "quantity": 2})).json()
    await bol.get("/retailer/returns", handled="false")
    await bol.get(f"/retailer/returns/{registered['returnId']}")
    handling = await bol.send(
        "PUT", f"/retailer/returns/{registered['rmaId']}", {"handlingResult": "RETURN_RECEIVED", "quantityReturned": 2}
    )
    clock.advance(1)
    await bol.get(f"/shared/process-status/{handling.json()['processStatusId']}")
    await bol.get("/retailer/returns", handled="true", **{"fulfilment-method": "FBR"})
    await bol.get("/retailer/subscriptions/signature-keys")

    validator.assert_clean()
    assert operations(validator) >= {
        "GET /retailer/orders",
        f"GET /retailer/orders/{order['orderId']}",
        "POST /retailer/shipments",
        "GET /retailer/shipments",
        f"GET /retailer/shipments/{shipments[0]['shipmentId']}",
        "PUT /retailer/orders/cancellation",
        "GET /retailer/returns",
        f"GET /retailer/returns/{registered['returnId']}",
        f"PUT /retailer/returns/{registered['rmaId']}",
        f"GET /shared/process-status/{shipping['processStatusId']}",
        "GET /shared/process-status",
        "POST /shared/process-status",
        "GET /retailer/subscriptions/signature-keys",
    }


async def test_error_responses_answer_as_the_spec_says(bol: BolClient, validator: ContractValidator, clock: FakeClock):
    http = bol.http
    token = await bol.token()
    # Deliberately broken requests: the validator must flag each, and the answer must still match the spec.
    await bol.ship(*({"orderItemId": str(n)} for n in range(101)))  # 400: maxItems
    await bol.cancel("1", "BECAUSE")  # 400: enum
    await bol.get("/retailer/orders", page=0)  # 400: minimum
    await bol.get("/shared/process-status", **{"entity-id": "1"})  # 400: required event-type
    await http.get("/retailer/orders", headers={"Accept": MEDIA_TYPE})  # 401: no token
    # 406: the spec has no say on Accept, so this request passes the validator.
    await http.get("/retailer/orders", headers={"Accept": "application/json", "Authorization": f"Bearer {token}"})
    await http.put(
        "/retailer/orders/cancellation",
        json={"orderItems": [{"orderItemId": "1", "reasonCode": "OTHER"}]},
        headers={"Accept": MEDIA_TYPE, "Authorization": f"Bearer {token}"},
    )  # 415
    broken = len(validator.request_errors)

    await bol.get("/retailer/orders/1")  # 404
    await bol.get("/retailer/shipments/1")
    await bol.get("/retailer/returns/1")
    await bol.get("/shared/process-status/1")
    for _ in range(4):
        await bol.get("/retailer/returns")  # the 4th is a 429 with Retry-After
    no_retry_after = {"path": "/retailer/orders", "kind": "rate_limit", "retryAfter": None, "times": 1}
    await http.post("/_sandbox/faults", json=no_retry_after)
    await bol.get("/retailer/orders")  # 429 without Retry-After
    for status in (500, 502, 503, 504):
        await http.post("/_sandbox/faults", json={"path": "/shared", "kind": "status", "status": status, "times": 1})
        await bol.get("/shared/process-status/1")
    await http.post("/_sandbox/faults", json={"path": "/retailer", "kind": "expire_token", "times": 1})
    await http.get("/retailer/orders", headers=await bol.headers())  # 401 Expired JWT

    assert broken == 6 and len(validator.request_errors) == 6, validator.request_errors
    assert validator.response_errors == []
    answered = [entry.rsplit(" -> ", 1)[1] for entry in validator.checked]
    assert answered == ["400"] * 4 + ["401", "406", "415"] + ["404"] * 4 + ["200"] * 3 + ["429", "429"] + [
        "500",
        "502",
        "503",
        "504",
        "401",
    ]


async def test_the_validator_rejects_a_response_that_breaks_the_spec(validator: ContractValidator):
    headers = {"Authorization": "Bearer t", "Accept": MEDIA_TYPE}
    request = httpx.Request("GET", f"{BASE_URL}/retailer/orders/1", headers=headers)
    body = {"orderId": "1", "pickupPoint": "no", "orderItems": []}
    response = httpx.Response(200, json=body, headers={"Content-Type": MEDIA_TYPE}, request=request)

    with pytest.raises(AssertionError) as failure:
        validator.validate_response(response)

    message = str(failure.value)
    assert "get-order [GET /retailer/orders/{order-id}]" in message
    assert "'shipmentDetails' is a required property" in message
    assert "'no' is not of type 'boolean'" in message


async def test_the_validator_rejects_a_request_that_breaks_the_spec(validator: ContractValidator):
    body = {"orderItems": [{"orderItemId": "1"}], "shipmentReference": "x" * 91, "transport": {}}
    request = httpx.Request(
        "POST",
        f"{BASE_URL}/retailer/shipments",
        content=json.dumps(body),
        headers={"Authorization": "Bearer t", "Accept": MEDIA_TYPE, "Content-Type": MEDIA_TYPE},
    )

    with pytest.raises(AssertionError) as failure:
        validator.validate_request(request)

    assert "create-shipment" in str(failure.value)
    assert "at shipmentReference:" in str(failure.value)
    assert "at transport: 'transporterCode' is a required property" in str(failure.value)


async def test_unknown_operations_and_unspecified_paths(validator: ContractValidator):
    with pytest.raises(AssertionError, match="no operation for GET /retailer/nothing"):
        validator.validate_request(httpx.Request("GET", f"{BASE_URL}/retailer/nothing"))
    with pytest.raises(AssertionError, match="Operation delete not found"):
        validator.validate_request(httpx.Request("DELETE", f"{BASE_URL}/retailer/orders"))
    validator.validate_request(httpx.Request("POST", f"{BASE_URL}/token"))  # not in any spec: skipped
    validator.validate_request(httpx.Request("GET", f"{BASE_URL}/_sandbox/shipments"))


def test_all_vendor_specs_load_with_their_defects_fixed():
    specs = {name: load_spec(name) for name in SPEC_NAMES}

    for name in ("bol-retailer-v10", "bol-shared-v10"):
        assert "in" not in specs[name]["components"]["securitySchemes"]["OAuth2"]
        for item in specs[name]["paths"].values():
            for operation in item.values():
                assert {"400", "401", "429", "503"} <= set(operation["responses"])
    assert specs["kaufland-seller-v2"]["components"]["schemas"]["Unit"]["properties"]["amount"]["default"] == 1
    assert "required" not in specs["bol-retailer-v10"]["components"]["schemas"]["ReducedOrders"]
    load_spec("bol-retailer-v10")["paths"].clear()
    assert load_spec("bol-retailer-v10")["paths"]  # callers get their own copy


def test_spec_dir_defaults_to_the_repository_and_follows_the_environment(monkeypatch, tmp_path: Path):
    monkeypatch.delenv("ORDERTIDE_SPECS_DIR", raising=False)
    assert spec_dir() == Path(__file__).resolve().parents[2] / "specs"

    monkeypatch.setenv("ORDERTIDE_SPECS_DIR", str(tmp_path))
    assert spec_dir() == tmp_path
    monkeypatch.setenv("ORDERTIDE_SPECS_DIR", str(tmp_path / "missing"))
    with pytest.raises(FileNotFoundError, match="ORDERTIDE_SPECS_DIR"):
        spec_dir()


@pytest.mark.parametrize(
    "path",
    [
        "/retailer/orders/café-ü",
        '/retailer/shipments/a b"<>{}',
        "/retailer/returns/100%25",
        "/shared/process-status/ñ",
    ],
)
async def test_a_problem_names_its_instance_as_a_uri_whatever_the_path_holds(
    bol: BolClient, validator: ContractValidator, path: str
):
    response = await bol.get(path)

    assert response.status_code == 404
    assert validator.response_errors == []
    instance = httpx.URL(response.json()["instance"])
    assert instance.path == httpx.URL(f"{BASE_URL}{path}").path  # encoded, yet still names the request


@pytest.mark.parametrize(
    ("path", "params", "name"),
    [
        ("/retailer/orders", {"change-interval-minute": 0}, "change-interval-minute"),
        ("/retailer/orders", {"change-interval-minute": -5}, "change-interval-minute"),
        ("/retailer/orders", {"change-interval-minute": 61}, "change-interval-minute"),
        ("/retailer/orders", {"page": 0}, "page"),
        ("/retailer/orders", {"page": 2**31}, "page"),
        ("/retailer/shipments", {"page": 2**31}, "page"),
        ("/retailer/returns", {"page": -1}, "page"),
        ("/retailer/returns", {"page": 2**31}, "page"),
        ("/shared/process-status", {"entity-id": "1", "event-type": "CREATE_SHIPMENT", "page": 2**31}, "page"),
    ],
)
async def test_an_out_of_range_query_parameter_gets_bols_400(
    bol: BolClient, validator: ContractValidator, path: str, params: dict[str, object], name: str
):
    response = await bol.get(path, **params)

    assert response.status_code == 400, response.text
    assert [v["name"] for v in response.json()["violations"]] == [name]
    assert validator.response_errors == []
