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
    def __init__(self, sandbox: Sandbox, push: httpx.AsyncClient, channel: str = "bol"):
        """`push`: the webhook receiver the pushes go to."""
        self._sandbox = sandbox
        self._channel = channel
        self._push = push

    @classmethod
    def for_engine(cls, sandbox: Sandbox, engine: Engine, client: Client) -> "OrderDesk":
        """The receiver as production's webhooks service runs it, with the
        store (new orders start accepted), here in this process."""
        intake: IntakeActivities = engine.intake(client)
        app = create_webhook_app(intake)
        return cls(sandbox, httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://webhooks"))

    @classmethod
    def for_worker_receiver(cls, sandbox: Sandbox, url: str) -> "OrderDesk":
        """The worker's own receiver (`ordertide worker --webhooks-port`),
        over HTTP: the worker starts each order on its own client, eagerly."""
        return cls(sandbox, httpx.AsyncClient(base_url=url, timeout=30))

    async def place(self, product: Product) -> str:
        item = {"ean": product.ean, "quantity": 1, "unitPrice": str(product.list_price), "title": product.title}
        order = await self._sandbox.post("/_sandbox/orders", {"items": [item]})
        event = {"resource": "ORDER", "type": "NEW", "resourceId": order["orderId"]}
        # Signed by the sandbox, as bol signs its pushes.
        push = await self._sandbox.post("/_sandbox/pushes", {"event": event})
        delivered = await self._push.post(
            f"/webhooks/bol/{self._channel}", content=push["body"], headers=push["headers"]
        )
        delivered.raise_for_status()
        return order["orderId"]

    async def aclose(self) -> None:
        await self._push.aclose()
