"""The supplier portal sandbox in-process, the webhook receiver in front of
a real worker, and channels named per test (the dev server outlives tests)."""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from temporalio.client import Client
from temporalio.testing import ActivityEnvironment

from activities.intake import IntakeActivities
from domain.config import SupplierApiSettings, SupplierChannelConfig, SupplierWebhookSettings
from domain.intake import IntakePollResult
from sandbox.supplier.app import create_app
from sandbox.supplier.config import SupplierSandboxConfig
from starter.demo_catalog import seed_demo_catalog
from workers.settings import Settings
from workers.webhooks import create_webhook_app
from workers.worker import Engine

PORTAL_URL = "http://portal.sandbox"
SECRET = "sandbox-webhook-secret"

ADDRESS = {
    "name": "Ada Jansen",
    "street": "Kerkstraat",
    "house_number": "12",
    "postcode": "1017 GC",
    "city": "Amsterdam",
    "country": "NL",
}
MUG = {"sku": "MUG-BLUE", "ean": "8710103917885", "title": "Blue enamel mug", "quantity": 1, "price": "12.95"}
LAMP = {"sku": "LAMP-DESK", "title": "Desk lamp, brass", "quantity": 1, "price": "49.99"}  # by SKU only


class Forward(httpx.AsyncBaseTransport):
    """The portal's pushes go to whatever receiver the test set up."""

    def __init__(self) -> None:
        self.target: httpx.AsyncBaseTransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert self.target is not None, "no receiver set up for the portal's pushes"
        return await self.target.handle_async_request(request)


@dataclass
class Portal:
    app: Any
    transport: httpx.AsyncBaseTransport
    pushes: Forward

    @classmethod
    def start(cls, **config: Any) -> "Portal":
        forward = Forward()
        app = create_app(SupplierSandboxConfig(**config), push_transport=forward)
        return cls(app, httpx.ASGITransport(app=app), forward)

    @property
    def state(self) -> Any:
        return self.app.state.portal

    async def call(self, method: str, path: str, body: dict | None = None) -> httpx.Response:
        async with httpx.AsyncClient(transport=self.transport, base_url=PORTAL_URL) as http:
            return await http.request(method, path, json=body)

    async def place(self, items: list[dict], **extra: Any) -> dict:
        extra.setdefault("order_number", f"PO-{uuid.uuid4().hex[:10].upper()}")
        response = await self.call("POST", "/_sandbox/orders", {"items": items, "delivery_address": ADDRESS, **extra})
        assert response.status_code == 201, response.text
        return response.json()

    async def order(self, number: str) -> dict:
        response = await self.call("GET", f"/_sandbox/orders/{number}")
        response.raise_for_status()
        return response.json()


def supplier_channel(**overrides: Any) -> SupplierChannelConfig:
    values: dict[str, Any] = {
        "intake": "api",
        "status_updates": "api",
        "api": SupplierApiSettings(base_url=PORTAL_URL, api_key=SecretStr("sandbox"), overlap=timedelta(minutes=5)),
        "webhooks": SupplierWebhookSettings(secret=SecretStr(SECRET)),
        "poll_interval": timedelta(seconds=1),
        "offer_sync": False,
    }
    return SupplierChannelConfig(**{**values, **overrides})


def channel_name(mode: str) -> str:
    return f"supplier-{mode}-{uuid.uuid4().hex[:6]}"


@dataclass
class SupplierStack:
    engine: Engine
    intake: IntakeActivities
    receiver: httpx.AsyncClient

    @classmethod
    def build(
        cls, tmp_path: Path, client: Client, task_queue: str, portal: Portal, channels: dict[str, SupplierChannelConfig]
    ) -> "SupplierStack":
        settings = Settings(
            data_dir=tmp_path,
            database_url=f"sqlite:///{tmp_path / f'store-{uuid.uuid4().hex[:8]}.db'}",
            task_queue=task_queue,
            channels=dict(channels),
        )
        engine = Engine.build(settings, transports=dict.fromkeys(channels, portal.transport))
        seed_demo_catalog(engine.inventory, on_hand=50)
        intake = IntakeActivities(engine.channels, client, task_queue)
        app = create_webhook_app(intake)
        portal.pushes.target = httpx.ASGITransport(app=app)
        receiver = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hooks")
        return cls(engine, intake, receiver)

    async def poll(self, channel: str, cursor: datetime | None = None) -> IntakePollResult:
        """One poll of the channel's intake, as its watch activity runs it."""
        return await ActivityEnvironment().run(self.intake.poll_once, channel, cursor)

    async def aclose(self) -> None:
        await self.receiver.aclose()
        await self.engine.aclose()
