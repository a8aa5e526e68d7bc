"""A Kaufland buyer keeps a returned piece and is paid back: through
OrderWorkflow on the time-skipping server with the real activities and the
Kaufland sandbox, the seller's "customer keeps the product, paid" refunds
that piece's price on Kaufland, once, and nothing goes back on the shelf."""

import uuid
from decimal import Decimal
from pathlib import Path

from activities.intake import IntakeActivities
from domain.channels import Marketplace
from domain.ids import order_workflow_id
from domain.order.messages import OrderWorkflowInput, PickRequest, ReturnReceivedRequest
from domain.order.status import OrderStatus
from domain.reasons import ReturnHandling
from starter.demo_catalog import seed_demo_catalog
from tests.support import SandboxedKaufland, kaufland_channel
from tests.workflows.helpers import wait_for
from workers.settings import Settings
from workers.worker import Engine
from workflows.order import OrderWorkflow

MUG = {"ean": "8710103917885", "quantity": 2, "price": 1295, "title": "Blue enamel mug", "id_offer": "MUG-BLUE"}


async def test_a_buyer_who_keeps_a_returned_piece_is_refunded_its_price_on_kaufland(time_env, tmp_path: Path):
    kaufland = SandboxedKaufland.start()
    settings = Settings(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'store.db'}",
        task_queue=f"kl-refund-{uuid.uuid4()}",
        channels={"kl": kaufland_channel(kaufland.api_url)},
    )
    engine = Engine.build(settings, transports={"kl": kaufland.transport})
    seed_demo_catalog(engine.inventory, on_hand=50)
    client = time_env.client
    try:
        async with engine.worker(client):
            order = await kaufland.place_order([MUG])
            kept, _ = (u["id_order_unit"] for u in order["order_units"])
            handle = await client.start_workflow(
                OrderWorkflow.run,
                OrderWorkflowInput(
                    channel="kl", marketplace=Marketplace.KAUFLAND, marketplace_order_id=order["id_order"]
                ),
                id=order_workflow_id("kl", order["id_order"]),
                task_queue=settings.task_queue,
            )
            await wait_for(handle, OrderStatus.AWAITING_PICK)
            await handle.execute_update(OrderWorkflow.pick, PickRequest(track_and_trace="00340434161094042557"))
            await wait_for(handle, OrderStatus.SHIPPED)

            await kaufland.post("/_sandbox/returns", {"id_order_units": [kept], "reason": "delivered_damaged"})
            assert await IntakeActivities(engine.channels, client, settings.task_queue).forward_returns("kl") == 1
            await wait_for(handle, OrderStatus.RETURN_OPEN)
            await handle.execute_update(
                OrderWorkflow.return_received,
                ReturnReceivedRequest(handling=ReturnHandling.CUSTOMER_KEEPS_PRODUCT_PAID, resellable=False),
            )
            closed = await handle.result()  # the return window passes on the time-skipping server
    finally:
        await engine.aclose()

    assert kaufland.state.refunds() == [{"id_order_unit": kept, "amount": 1295, "reason": "other_refund"}]
    assert closed.returns[0].refund == Decimal("12.95")
    assert closed.status == OrderStatus.CLOSED and not closed.needs_attention
    assert engine.inventory.stock("MUG-BLUE").on_hand == 48  # the kept piece stays with the buyer
