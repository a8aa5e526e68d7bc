import base64
import hashlib
import hmac
from datetime import UTC, datetime

import httpx

from activities.marketplaces.plaza.client import PlazaClient
from tests.plaza.factories import desired_offer


async def test_requests_are_signed_as_bol_documents() -> None:
    seen: list[httpx.Request] = []

    def capture(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(202)

    client = PlazaClient(
        "https://test-plazaapi.bol.com",
        public_key="0123456789abcdef",
        private_key="secret",
        transport=httpx.MockTransport(capture),
        clock=lambda: datetime(2011, 10, 7, 13, 24, 1, tzinfo=UTC),
    )
    await client.upsert([desired_offer(1)])
    await client.aclose()

    [request] = seen
    assert (request.method, request.url.path) == ("PUT", "/offers/v2/")
    assert request.headers["Content-Type"] == "application/xml"
    assert request.headers["X-BOL-Date"] == "Fri, 07 Oct 2011 13:24:01 GMT"
    # Written out independently of the code under test, from bol's description.
    signed = (
        "PUT\n\napplication/xml\nFri, 07 Oct 2011 13:24:01 GMT\nx-bol-date:Fri, 07 Oct 2011 13:24:01 GMT\n/offers/v2/"
    )
    digest = hmac.new(b"secret", signed.encode(), hashlib.sha256).digest()
    assert request.headers["X-BOL-Authorization"] == "0123456789abcdef:" + base64.b64encode(digest).decode()
