"""Driving one order workflow in tests."""

import os
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHandle

from activities.order_start import start_attributes
from domain.channels import Marketplace
from domain.ids import order_workflow_id
from domain.order.messages import OrderWorkflowInput
from domain.order.status import OrderStatus
from domain.order.view import OrderView
from tests.support import SandboxedBol, eventually
from workers.worker import Engine
from workflows.order import OrderWorkflow

MUG = {"ean": "8710103917885", "unitPrice": "12.95", "title": "Blue enamel mug", "offerReference": "MUG-BLUE"}
LAMP = {"ean": "4006381333931", "unitPrice": "49.99", "title": "Desk lamp, brass", "offerReference": "LAMP-DESK"}


async def place_and_start(
    client: Client, bol: SandboxedBol, task_queue: str, items: list[dict], **input_overrides: Any
) -> tuple[dict, WorkflowHandle]:
    order = await bol.place_order(items)
    handle = await client.start_workflow(
        OrderWorkflow.run,
        OrderWorkflowInput(
            channel="bol", marketplace=Marketplace.BOL, marketplace_order_id=order["orderId"], **input_overrides
        ),
        id=order_workflow_id("bol", order["orderId"]),
        task_queue=task_queue,
    )
    return order, handle


async def place_and_start_as_intake(
    client: Client, bol: SandboxedBol, engine: Engine, task_queue: str, items: list[dict]
) -> tuple[dict, WorkflowHandle]:
    """As intake starts an order in production, with the search attributes
    it gives at start (activities/order_start.py): for a branch's recorded
    cost. Started with the test's client, so that `result()` skips time."""
    order = await bol.place_order(items)
    handle = await client.start_workflow(
        OrderWorkflow.run,
        OrderWorkflowInput(channel="bol", marketplace=Marketplace.BOL, marketplace_order_id=order["orderId"]),
        id=order_workflow_id("bol", order["orderId"]),
        task_queue=task_queue,
        search_attributes=await start_attributes(engine.channels, "bol", order["orderId"]),
    )
    return order, handle


async def view(handle: WorkflowHandle) -> OrderView:
    return await handle.query(OrderWorkflow.view)


async def wait_for(handle: WorkflowHandle, status: OrderStatus, timeout: float = 20.0) -> OrderView:
    async def reached() -> OrderView | None:
        current = await view(handle)
        return current if current.status == status else None

    return await eventually(reached, timeout=timeout)


async def wait_for_attention(handle: WorkflowHandle, timeout: float = 20.0) -> OrderView:
    async def flagged() -> OrderView | None:
        current = await view(handle)
        return current if current.needs_attention else None

    return await eventually(flagged, timeout=timeout)


HISTORIES = Path(__file__).parent.parent / "histories"


async def keep_history(handle: WorkflowHandle, name: str) -> None:
    """With ORDERTIDE_RECORD_HISTORIES=1, save this run's history for the
    replay suite (same JSON as `temporal workflow show -o json`)."""
    if not os.environ.get("ORDERTIDE_RECORD_HISTORIES"):
        return
    history = await handle.fetch_history()
    HISTORIES.mkdir(exist_ok=True)
    (HISTORIES / f"{name}.json").write_text(history.to_json())
