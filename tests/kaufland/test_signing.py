"""Kaufland's signature: pinned by a golden vector, and checked by the
sandbox the way Kaufland checks it."""

import json
import time

import httpx
import pytest

from activities.marketplaces.kaufland.client import KauflandHttp
from activities.marketplaces.kaufland.signing import signature
from domain.errors import BusinessError
from tests.support import kaufland_channel

# Kaufland's documented example keys (sellerapi.kaufland.com, "Code Examples");
# the expected values were computed apart from our code, with
# `printf 'METHOD\nURI\nBODY\nTS' | openssl dgst -sha256 -hmac SECRET`.
SECRET = "b3575f222f7b768c25160b879699118b331c6883dd6010864b7ead130be77cd5"
TIMESTAMP = 1411055926


def test_a_get_is_signed_over_method_full_url_with_query_empty_body_and_timestamp():
    url = "https://sellerapi.kaufland.com/v2/products/20574181/?embedded=category%2Cunits"

    assert signature(SECRET, "GET", url, b"", TIMESTAMP) == (
        "2c45338e8db697844905562244bab9631e56b4d3d6cab9bfdde0522271acadab"
    )


def test_a_patch_is_signed_over_the_exact_body_bytes():
    url = "https://sellerapi.kaufland.com/v2/order-units/123456/send"
    body = b'{"carrier_code":"DHL","tracking_numbers":"00340434161094042557"}'

    assert signature(SECRET, "patch", url, body, TIMESTAMP) == (
        "a1e4e174ab87dbbb0735f239b2a8b588c4db8f5e089e469011cf80b55b466800"
    )


async def test_signed_requests_go_through_and_the_query_is_part_of_the_signature(kaufland):
    http = KauflandHttp(kaufland_channel(kaufland.api_url), transport=kaufland.transport)
    try:
        await http.call("GET", "/order-units", params={"storefront": "de", "status": ["open", "need_to_be_sent"]})
        response = await http.call("GET", "/carriers")
    finally:
        await http.aclose()

    assert {"name": "DHL", "isHauler": False} in response.json()["data"]["carriers"]


class Reserialising(httpx.AsyncBaseTransport):
    """Sends the signed request with its JSON body re-serialised (spaces,
    another key order): what a client that signs one string and sends another does."""

    def __init__(self, inner: httpx.AsyncBaseTransport):
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = json.dumps(dict(reversed(list(json.loads(await request.aread()).items())))).encode()
        headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
        resent = httpx.Request(request.method, request.url, headers=headers, content=body)
        return await self.inner.handle_async_request(resent)


async def test_a_body_reserialised_after_signing_is_refused_with_kauflands_401(kaufland):
    order = await kaufland.place_order([{"ean": "8712345678906", "quantity": 1}])
    unit = order["order_units"][0]["id_order_unit"]
    http = KauflandHttp(kaufland_channel(kaufland.api_url), transport=Reserialising(kaufland.transport))
    try:
        with pytest.raises(BusinessError) as refused:
            await http.call(
                "PATCH", f"/order-units/{unit}/send", json_body={"carrier_code": "DHL", "tracking_numbers": "3S123"}
            )
    finally:
        await http.aclose()

    assert refused.value.status == 401 and "signature" in str(refused.value)
    assert (await kaufland.get(f"/_sandbox/order-units/{unit}"))["status"] == "need_to_be_sent"


@pytest.mark.parametrize(
    ("secret", "skew", "problem"),
    [("not-the-secret", 0, "signature"), ("sandbox", -3600, "stale")],
    ids=["wrong secret", "stale timestamp"],
)
async def test_a_wrong_or_stale_signature_gets_kauflands_401_error_body(kaufland, secret, skew, problem):
    config = kaufland_channel(kaufland.api_url, secret_key=secret)
    http = KauflandHttp(config, transport=kaufland.transport, clock=lambda: time.time() + skew)
    try:
        with pytest.raises(BusinessError) as refused:
            await http.call("GET", "/status/ping")
    finally:
        await http.aclose()

    assert refused.value.status == 401 and problem in str(refused.value)
    last = (await kaufland.get("/_sandbox/requests"))[-1]
    assert last["status"] == 401
