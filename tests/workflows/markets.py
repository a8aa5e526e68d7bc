"""One order, told apart from the marketplace it is sold on: the lifecycle
tests run on bol and on Kaufland through this, so a test states what the
seller sees and each marketplace's sandbox shows it its own way (bol: a line
with a quantity; Kaufland: one unit per piece)."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from temporalio.client import Client, WorkflowHandle

from activities.marketplaces.kaufland.orders import CANCEL_REASONS
from domain.channels import Marketplace
from domain.ids import order_workflow_id
from domain.order.messages import OrderWorkflowInput
from domain.reasons import CancellationReason
from tests.support import SandboxedBol, SandboxedKaufland
from workflows.order import OrderWorkflow


@dataclass(frozen=True)
class Product:
    ean: str
    price: Decimal
    title: str
    sku: str


MUG = Product("8710103917885", Decimal("12.95"), "Blue enamel mug", "MUG-BLUE")
LAMP = Product("4006381333931", Decimal("49.99"), "Desk lamp, brass", "LAMP-DESK")


@dataclass
class Placed:
    order_id: str
    # The workflow's line id of each item, in the order they were placed.
    line_ids: list[str]
    raw: dict[str, Any]


class BolMarket:
    marketplace = Marketplace.BOL
    channel = "bol"

    def __init__(self, sandbox: SandboxedBol):
        self.sandbox = sandbox

    async def place(self, items: list[tuple[Product, int]]) -> Placed:
        order = await self.sandbox.place_order(
            [
                {"ean": p.ean, "unitPrice": str(p.price), "title": p.title, "offerReference": p.sku, "quantity": n}
                for p, n in items
            ]
        )
        return Placed(order["orderId"], [item["orderItemId"] for item in order["orderItems"]], order)

    async def buyer_cancels(self, placed: Placed, line_id: str | None = None) -> None:
        body = {"orderItemIds": [line_id]} if line_id else {}
        await self.sandbox.post(f"/_sandbox/orders/{placed.order_id}/cancellation-requests", body)

    async def shipments(self) -> list[tuple[str, str | None, dict[str, int]]]:
        """(transporter, tracking, {line id: quantity}) per parcel."""
        return [
            (s["transporterCode"], s.get("trackAndTrace"), {i["orderItemId"]: i["quantity"] for i in s["items"]})
            for s in await self.sandbox.get("/_sandbox/shipments")
        ]

    async def cancelled(self) -> dict[str, tuple[str, int]]:
        """line id → (the seller's cancellation reason as sent, quantity)."""
        return {
            c["orderItemId"]: (c["reasonCode"], c["quantity"])
            for c in await self.sandbox.get("/_sandbox/cancellations")
        }

    def reason(self, reason: CancellationReason) -> str:
        return reason.value

    def buyer_cancellation_confirmed(self, lines: dict[str, int]) -> dict[str, tuple[str, int]]:
        """What `cancelled` shows once the seller confirmed these buyer cancellations."""
        return {line: ("REQUESTED_BY_CUSTOMER", quantity) for line, quantity in lines.items()}


class KauflandMarket:
    marketplace = Marketplace.KAUFLAND
    channel = "kaufland"

    def __init__(self, sandbox: SandboxedKaufland):
        self.sandbox = sandbox
        self._line_of: dict[int, str] = {}

    async def place(self, items: list[tuple[Product, int]]) -> Placed:
        order = await self.sandbox.place_order(
            [
                {"ean": p.ean, "price": int(p.price * 100), "title": p.title, "id_offer": p.sku, "quantity": n}
                for p, n in items
            ]
        )
        units = iter(order["order_units"])
        line_ids = []
        for _product, quantity in items:
            mine = [next(units)["id_order_unit"] for _ in range(quantity)]
            line_ids.append(str(mine[0]))  # a line is named after its first unit
            self._line_of.update({unit: str(mine[0]) for unit in mine})
        return Placed(order["id_order"], line_ids, order)

    async def buyer_cancels(self, placed: Placed, line_id: str | None = None) -> None:
        """Kaufland's customer service cancels the units for the buyer."""
        for unit, line in self._line_of.items():
            if line in placed.line_ids and (line_id is None or line == line_id):
                await self.sandbox.post(f"/_sandbox/order-units/{unit}/customer-cancel")

    async def shipments(self) -> list[tuple[str, str | None, dict[str, int]]]:
        parcels: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for sent in await self.sandbox.get("/_sandbox/sends"):
            parcels[(sent["carrier_code"], sent["tracking_numbers"])][self._line_of[sent["id_order_unit"]]] += 1
        return [(carrier, tracking or None, dict(lines)) for (carrier, tracking), lines in parcels.items()]

    async def cancelled(self) -> dict[str, tuple[str, int]]:
        """Units the seller cancelled, per line (customer service's own are the buyer's doing, not listed)."""
        found: dict[str, tuple[str, int]] = {}
        for cancel in await self.sandbox.get("/_sandbox/cancels"):
            if cancel["by"] == "seller":
                line = self._line_of[cancel["id_order_unit"]]
                found[line] = (cancel["reason"], found.get(line, ("", 0))[1] + 1)
        return found

    def reason(self, reason: CancellationReason) -> str:
        return CANCEL_REASONS[reason]

    def buyer_cancellation_confirmed(self, lines: dict[str, int]) -> dict[str, tuple[str, int]]:
        # Kaufland's customer service cancelled the units itself: nothing for the seller to send.
        return {}


Market = BolMarket | KauflandMarket


async def start_order(client: Client, market: Market, task_queue: str, placed: Placed) -> WorkflowHandle:
    return await client.start_workflow(
        OrderWorkflow.run,
        OrderWorkflowInput(
            channel=market.channel, marketplace=market.marketplace, marketplace_order_id=placed.order_id
        ),
        id=order_workflow_id(market.channel, placed.order_id),
        task_queue=task_queue,
    )
