"""Driving one order workflow in tests."""

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy

from domain.channels import Marketplace
from domain.ids import order_workflow_id
from domain.intake import OrderChange
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
    """Started by intake's own hand-over (accepted before the start, with the
    search attributes it gives then: activities/order_start.py), for a
    branch's recorded cost. Through the test's client, so that `result()`
    skips time."""
    assert engine.settings.task_queue == task_queue
    order = await bol.place_order(items)
    change = OrderChange(marketplace_order_id=order["orderId"], placed_at=datetime.now(UTC), open=True)
    assert await engine.intake(client).dispatch_order("bol", change)
    # Intake keeps no handle. Starting the running order again (USE_EXISTING:
    # no event in its history) gives one of the test client's own, whose
    # result() lets the time-skipping server skip time.
    handle = await client.start_workflow(
        OrderWorkflow.run,
        OrderWorkflowInput(channel="bol", marketplace=Marketplace.BOL, marketplace_order_id=order["orderId"]),
        id=order_workflow_id("bol", order["orderId"]),
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
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
