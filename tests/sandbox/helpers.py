"""Driving the bol sandbox in tests: a clock to move by hand, and a client
that speaks the Retailer API the way a seller's code does."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from starlette.applications import Starlette

from sandbox.bol import BolSandbox, BolSandboxConfig, create_app

MEDIA_TYPE = "application/vnd.retailer.v10+json"
CSV_MEDIA_TYPE = "application/vnd.retailer.v10+csv"
BASE_URL = "http://bol.sandbox"
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
MUG = {"ean": "8710103917885", "unitPrice": "12.95", "title": "Blue enamel mug", "offerReference": "MUG-BLUE"}
LAMP = {"ean": "4006381333931", "unitPrice": 49.99, "title": "Desk lamp, brass"}
# A CreateOfferRequest for the mug.
MUG_OFFER = {
    "ean": MUG["ean"],
    "condition": {"name": "NEW"},
    "reference": "MUG-BLUE",
    "pricing": {"bundlePrices": [{"quantity": 1, "unitPrice": 12.95}, {"quantity": 6, "unitPrice": 11.50}]},
    "stock": {"amount": 10, "managedByRetailer": True},
    "fulfilment": {"method": "FBR", "deliveryCode": "1-2d"},
}


class FakeClock:
    def __init__(self, start: datetime = START):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def sandbox_app(clock: FakeClock, **config: Any) -> Starlette:
    return create_app(BolSandboxConfig(**config), clock=clock)


def state(app: Starlette) -> BolSandbox:
    return app.state.sandbox


class BolClient:
    """Token, media types and JSON bodies handled; responses returned as they
    are. With `refresh`, an expired token is replaced and the call repeated,
    as a seller's client does, so tests can move the clock by hours."""

    def __init__(self, http: httpx.AsyncClient, refresh: bool = True):
        self.http = http
        self.refresh = refresh
        self._token: str | None = None

    async def token(self, fresh: bool = False) -> str:
        if self._token is None or fresh:
            response = await self.http.post(
                "/token", data={"grant_type": "client_credentials"}, auth=("sandbox", "sandbox")
            )
            response.raise_for_status()
            self._token = response.json()["access_token"]
        return self._token

    async def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token()}", "Accept": MEDIA_TYPE}

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self._call("GET", path, params=params)

    async def delete(self, path: str) -> httpx.Response:
        return await self._call("DELETE", path)

    async def send(self, method: str, path: str, body: Any) -> httpx.Response:
        return await self._call(method, path, content=json.dumps(body), headers={"Content-Type": MEDIA_TYPE})

    async def _call(
        self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        async def attempt() -> httpx.Response:
            return await self.http.request(method, path, headers={**await self.headers(), **(headers or {})}, **kwargs)

        response = await attempt()
        if self.refresh and response.status_code == 401 and response.json().get("title") == "Expired JWT":
            await self.token(fresh=True)
            response = await attempt()
        return response

    async def ship(self, *items: dict[str, Any], **extra: Any) -> httpx.Response:
        body = {"orderItems": list(items), "transport": {"transporterCode": "TNT", "trackAndTrace": "3SBOL0001"}}
        return await self.send("POST", "/retailer/shipments", {**body, **extra})

    async def cancel(self, order_item_id: str, reason: str = "OUT_OF_STOCK") -> httpx.Response:
        body = {"orderItems": [{"orderItemId": order_item_id, "reasonCode": reason}]}
        return await self.send("PUT", "/retailer/orders/cancellation", body)

    async def handle_return(self, rma_id: str, quantity: int = 1, result: str = "RETURN_RECEIVED") -> httpx.Response:
        body = {"handlingResult": result, "quantityReturned": quantity}
        return await self.send("PUT", f"/retailer/returns/{rma_id}", body)

    async def create_offer(self, **fields: Any) -> httpx.Response:
        """POST /retailer/offers with MUG_OFFER, `fields` replacing its own."""
        return await self.send("POST", "/retailer/offers", {**MUG_OFFER, **fields})

    async def offer_export(self, report_id: str, accept: str = CSV_MEDIA_TYPE) -> httpx.Response:
        return await self._call("GET", f"/retailer/offers/export/{report_id}", headers={"Accept": accept})

    async def process(self, process_id: str) -> dict[str, Any]:
        response = await self.get(f"/shared/process-status/{process_id}")
        assert response.status_code == 200, response.text
        return response.json()


def client_for(app: Starlette, transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=transport or httpx.ASGITransport(app=app), base_url=BASE_URL)


async def offer_created(bol: BolClient, clock: FakeClock, **fields: Any) -> str:
    """Creates an offer (MUG_OFFER with `fields`), lets its process finish
    and answers the new offer id."""
    accepted = await bol.create_offer(**fields)
    assert accepted.status_code == 202, accepted.text
    clock.advance(1)
    process = await bol.process(accepted.json()["processStatusId"])
    assert process["status"] == "SUCCESS", process
    return process["entityId"]
