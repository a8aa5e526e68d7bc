"""A Kaufland channel on its sandbox with the real engine, and an order on it
started and picked: the start of every after-sales story."""

import uuid
from pathlib import Path
from typing import Any

from temporalio.client import Client, WorkflowHandle

from domain.channels import Marketplace
from domain.ids import order_workflow_id
from domain.order.messages import OrderWorkflowInput, PickRequest
from domain.order.status import OrderStatus
from starter.demo_catalog import seed_demo_catalog
from tests.support import SandboxedKaufland, kaufland_channel
from tests.workflows.helpers import wait_for
from workers.settings import Settings
from workers.worker import Engine
from workflows.order import OrderWorkflow


def kaufland_engine(tmp_path: Path, name: str) -> tuple[SandboxedKaufland, Settings, Engine]:
    """Channel `kl` on a fresh Kaufland sandbox; 50 of every demo product."""
    kaufland = SandboxedKaufland.start()
    settings = Settings(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'store.db'}",
        task_queue=f"{name}-{uuid.uuid4()}",
        channels={"kl": kaufland_channel(kaufland.api_url)},
    )
    engine = Engine.build(settings, transports={"kl": kaufland.transport})
    seed_demo_catalog(engine.inventory, on_hand=50)
    return kaufland, settings, engine


async def picked_order(
    client: Client, kaufland: SandboxedKaufland, task_queue: str, item: dict[str, Any]
) -> tuple[list[str], str, WorkflowHandle]:
    """An order placed on the sandbox, accepted and picked: its unit ids, its
    workflow id and the handle of its run."""
    order = await kaufland.place_order([item])
    units = [u["id_order_unit"] for u in order["order_units"]]
    workflow_id = order_workflow_id("kl", order["id_order"])
    handle = await client.start_workflow(
        OrderWorkflow.run,
        OrderWorkflowInput(channel="kl", marketplace=Marketplace.KAUFLAND, marketplace_order_id=order["id_order"]),
        id=workflow_id,
        task_queue=task_queue,
    )
    await wait_for(handle, OrderStatus.AWAITING_PICK)
    await handle.execute_update(OrderWorkflow.pick, PickRequest(track_and_trace="00340434161094042557"))
    return units, workflow_id, handle
