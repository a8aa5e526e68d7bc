"""How the benchmarks place orders: on the bol sandbox, announced by a push
notification to the webhook receiver, as bol does for a seller subscribed to
ORDER events. Polling stays on as the safety net, at a production pace."""

import httpx
from temporalio.client import Client

from activities.intake import IntakeActivities
from domain.catalog import Product
from starter.bench.stack import Sandbox
from workers.webhooks import create_webhook_app
from workers.worker import Engine


class OrderDesk:
    def __init__(self, sandbox: Sandbox, intake: IntakeActivities, channel: str = "bol"):
        self._sandbox = sandbox
        self._channel = channel
        self._push = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_webhook_app(intake)), base_url="http://webhooks"
        )

    @classmethod
    def for_engine(cls, sandbox: Sandbox, engine: Engine, client: Client) -> "OrderDesk":
        """The receiver as production runs it: with the store, so new orders start accepted."""
        return cls(sandbox, engine.intake(client))

    async def place(self, product: Product) -> str:
        item = {"ean": product.ean, "quantity": 1, "unitPrice": str(product.list_price), "title": product.title}
        order = await self._sandbox.post("/_sandbox/orders", {"items": [item]})
        event = {"resource": "ORDER", "type": "NEW", "resourceId": order["orderId"]}
        # Signed by the sandbox, as bol signs its pushes; delivered here, in-process.
        push = await self._sandbox.post("/_sandbox/pushes", {"event": event})
        delivered = await self._push.post(
            f"/webhooks/bol/{self._channel}", content=push["body"], headers=push["headers"]
        )
        delivered.raise_for_status()
        return order["orderId"]

    async def aclose(self) -> None:
        await self._push.aclose()
