"""The portal's supplier API (what `sandbox/supplier` serves): orders by
date-time range, one order by number, status updates with a note, and a
stock feed. Every failure is sorted into the error taxonomy: transport,
5xx and 429 are retried, other 4xx are the portal's "no"."""

from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from activities.marketplaces.supplier.wire import PortalOrderPage
from activities.retry import retry_after
from domain.config import SupplierChannelConfig
from domain.errors import BusinessError, MarketplaceUnavailable, OrderNotVisible, RateLimited, Violation

API_KEY_HEADER = "X-Api-Key"


class PortalApi:
    def __init__(self, config: SupplierChannelConfig, transport: httpx.AsyncBaseTransport | None = None):
        if not config.api.base_url:
            raise ValueError("supplier channel has no api.base_url configured")
        key = config.api.api_key.get_secret_value() if config.api.api_key else ""
        self.base_url = config.api.base_url.rstrip("/")
        self.page_size = config.api.page_size
        self.client = httpx.AsyncClient(
            transport=transport,
            timeout=config.request_timeout.total_seconds(),
            headers={API_KEY_HEADER: key, "Accept": "application/json"},
            follow_redirects=False,
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    async def orders_page(self, start: datetime, end: datetime, page: int) -> PortalOrderPage:
        params = {"from": start.isoformat(), "to": end.isoformat(), "page": page, "per_page": self.page_size}
        response = await self._call("GET", "/api/v1/orders", params=params)
        return PortalOrderPage.model_validate_json(response.content)

    async def order(self, order_number: str) -> dict[str, Any]:
        response = await self._call("GET", f"/api/v1/orders/{quote(order_number, safe='')}", not_found_retries=True)
        body = response.json()
        if not isinstance(body, dict):
            raise BusinessError("the portal answered an order that is not a JSON object")
        return body

    async def update_status(self, order_number: str, update: dict[str, Any]) -> dict[str, Any]:
        response = await self._call("POST", f"/api/v1/orders/{quote(order_number, safe='')}/status", json=update)
        body = response.json()
        return body if isinstance(body, dict) else {}

    async def stock_feed(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        response = await self._call("PUT", "/api/v1/stock", json={"items": items})
        results = response.json().get("results", [])
        return [r for r in results if isinstance(r, dict)]

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        not_found_retries: bool = False,
    ) -> httpx.Response:
        try:
            response = await self.client.request(method, self.base_url + path, params=params, json=json)
        except httpx.TransportError as exc:
            raise MarketplaceUnavailable(f"the portal cannot be reached: {type(exc).__name__}") from exc
        status = response.status_code
        if 200 <= status < 300:
            return response
        if status == 429:
            raise RateLimited("the portal asks us to slow down", retry_after=retry_after(response))
        if status >= 500:
            raise MarketplaceUnavailable(f"the portal answered {status}")
        if status == 404 and not_found_retries:
            raise OrderNotVisible(f"the portal does not show {path.rsplit('/', 1)[-1]} yet")
        raise BusinessError(f"the portal refused {method} {path}: {status}", _violations(response), status=status)


def _violations(response: httpx.Response) -> list[Violation]:
    try:
        body = response.json()
    except ValueError:
        return []
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return [Violation(name=str(body.get("field") or "body"), reason=body["error"])]
    return []
