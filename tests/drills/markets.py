"""What a drill needs to know about one marketplace: its sandbox, the
worker's channel settings for it, how a buyer places orders there, where its
shipments go, and how to count what the seller sent. Drills are written once
and run for each marketplace (parametrised, not copied)."""

import collections
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any, Protocol

import httpx
from starlette.applications import Starlette

from domain.money import to_cents
from sandbox.bol.app import create_app as create_bol_app
from sandbox.bol.config import BolSandboxConfig
from sandbox.kaufland.app import create_app as create_kaufland_app
from sandbox.kaufland.config import KauflandSandboxConfig
from starter.demo_catalog import DEMO_PRICES, DEMO_PRODUCTS

Order = dict[str, Any]


class Market(Protocol):
    @property
    def name(self) -> str: ...
    # The marketplace API's path prefix: an outage fault on it hits everything.
    @property
    def api_prefix(self) -> str: ...
    # The request that ships: a fault on it hits shipments only.
    @property
    def ship_path(self) -> str: ...
    @property
    def ship_method(self) -> str: ...

    def app(self, config: Any) -> Starlette: ...
    def channel_env(self, url: str, return_window: timedelta) -> dict[str, str]: ...
    async def place_order(self, http: httpx.AsyncClient, n: int) -> Order: ...
    def order_id(self, order: Order) -> str: ...
    def line_ids(self, orders: list[Order]) -> list[str]: ...
    def held_order(self, orders: list[Order], held: dict[str, Any]) -> Order: ...
    def is_held_shipment(self, request: dict[str, Any], held: dict[str, Any]) -> bool: ...
    async def release_holds(self, http: httpx.AsyncClient) -> None: ...
    async def assert_each_shipped_once(self, http: httpx.AsyncClient, orders: list[Order]) -> None: ...


def _env(name: str, settings: dict[str, str]) -> dict[str, str]:
    return {f"ORDERTIDE_CHANNELS__{name.upper()}__{key}": value for key, value in settings.items()}


def _quantity(n: int) -> int:
    return 1 + n % 3


@dataclass(frozen=True)
class Bol:
    name: str = "bol"
    api_prefix: str = "/retailer"
    ship_path: str = "/retailer/shipments"
    ship_method: str = "POST"

    def app(self, config: Any) -> Starlette:
        return create_bol_app(config or BolSandboxConfig(process_delay_seconds=0.2))

    def channel_env(self, url: str, return_window: timedelta) -> dict[str, str]:
        return _env(
            self.name,
            {
                "API_BASE_URL": url,
                "TOKEN_URL": f"{url}/token",
                "CLIENT_ID": "sandbox",
                "CLIENT_SECRET": "sandbox",
                "POLL_INTERVAL": "PT0.5S",
                "RETURN_WINDOW": f"PT{return_window.total_seconds()}S",
                "PROCESS_STATUS_PATIENCE": "PT60S",
                "OFFER_SYNC": "false",
            },
        )

    async def place_order(self, http: httpx.AsyncClient, n: int) -> Order:
        product = DEMO_PRODUCTS[n % len(DEMO_PRODUCTS)]
        item = {
            "ean": product.ean,
            "quantity": _quantity(n),
            "unitPrice": DEMO_PRICES[product.sku],
            "title": product.title,
        }
        response = await http.post("/_sandbox/orders", json={"items": [item]})
        response.raise_for_status()
        return dict(response.json())

    def order_id(self, order: Order) -> str:
        return str(order["orderId"])

    def line_ids(self, orders: list[Order]) -> list[str]:
        return [item["orderItemId"] for order in orders for item in order["orderItems"]]

    def held_order(self, orders: list[Order], held: dict[str, Any]) -> Order:
        lines = {item["orderItemId"] for item in held["body"]["orderItems"]}
        [order] = [o for o in orders if lines & {item["orderItemId"] for item in o["orderItems"]}]
        return order

    def is_held_shipment(self, request: dict[str, Any], held: dict[str, Any]) -> bool:
        lines = {item["orderItemId"] for item in held["body"]["orderItems"]}
        return (
            request["method"] == "POST"
            and request["path"] == self.ship_path
            and bool(lines & {item["orderItemId"] for item in request["body"]["orderItems"]})
        )

    async def release_holds(self, http: httpx.AsyncClient) -> None:
        (await http.delete("/_sandbox/holds")).raise_for_status()

    async def assert_each_shipped_once(self, http: httpx.AsyncClient, orders: list[Order]) -> None:
        shipments = (await http.get("/_sandbox/shipments")).json()
        shipped: collections.Counter[str] = collections.Counter()
        parcels: collections.Counter[str] = collections.Counter()
        for shipment in shipments:
            for item in shipment["items"]:
                shipped[item["orderItemId"]] += item["quantity"]
                parcels[item["orderItemId"]] += 1
        expected = {item["orderItemId"]: item["quantity"] for order in orders for item in order["orderItems"]}
        assert dict(shipped) == expected
        assert set(parcels.values()) == {1}, "an order line was shipped more than once"


@dataclass(frozen=True)
class Kaufland:
    """One unit per piece: a unit is shipped with PATCH .../send, once."""

    name: str = "kaufland"
    api_prefix: str = "/v2"
    ship_path: str = "/v2/order-units/{id_order_unit}/send"
    ship_method: str = "PATCH"

    def app(self, config: Any) -> Starlette:
        return create_kaufland_app(config or KauflandSandboxConfig())

    def channel_env(self, url: str, return_window: timedelta) -> dict[str, str]:
        sandbox = KauflandSandboxConfig()
        return _env(
            self.name,
            {
                "MARKETPLACE": "kaufland",
                "API_BASE_URL": f"{url}/v2",
                "CLIENT_KEY": sandbox.client_key,
                "SECRET_KEY": sandbox.secret_key,
                "POLL_INTERVAL": "PT0.5S",
                "RETURN_WINDOW": f"PT{return_window.total_seconds()}S",
                "OFFER_SYNC": "false",
            },
        )

    async def place_order(self, http: httpx.AsyncClient, n: int) -> Order:
        product = DEMO_PRODUCTS[n % len(DEMO_PRODUCTS)]
        item = {
            "ean": product.ean,
            "quantity": _quantity(n),
            "price": to_cents(Decimal(DEMO_PRICES[product.sku])),
            "title": product.title,
            "id_offer": product.sku,
        }
        response = await http.post("/_sandbox/orders", json={"items": [item]})
        response.raise_for_status()
        return dict(response.json())

    def order_id(self, order: Order) -> str:
        return str(order["id_order"])

    def line_ids(self, orders: list[Order]) -> list[str]:
        # Each drill order has one item: one line, named by its lowest unit id.
        return [str(min(u["id_order_unit"] for u in order["order_units"])) for order in orders]

    def held_order(self, orders: list[Order], held: dict[str, Any]) -> Order:
        [order] = [o for o in orders if any(held["path"] == _send_path(u) for u in o["order_units"])]
        return order

    def is_held_shipment(self, request: dict[str, Any], held: dict[str, Any]) -> bool:
        return request["method"] == "PATCH" and request["path"] == held["path"]

    async def release_holds(self, http: httpx.AsyncClient) -> None:
        (await http.post("/_sandbox/holds/release")).raise_for_status()

    async def assert_each_shipped_once(self, http: httpx.AsyncClient, orders: list[Order]) -> None:
        sends = collections.Counter(s["id_order_unit"] for s in (await http.get("/_sandbox/sends")).json())
        units = {u["id_order_unit"] for order in orders for u in order["order_units"]}
        assert set(sends) == units, "a unit was never sent (or one not ordered was)"
        assert set(sends.values()) == {1}, "a unit was sent more than once"
        cancels = collections.Counter(c["id_order_unit"] for c in (await http.get("/_sandbox/cancels")).json())
        assert all(n == 1 for n in cancels.values()), "a unit was cancelled more than once"


def _send_path(unit: dict[str, Any]) -> str:
    return f"/v2/order-units/{unit['id_order_unit']}/send"


MARKETS: dict[str, Market] = {"bol": Bol(), "kaufland": Kaufland()}
