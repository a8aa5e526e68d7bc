"""`orders resume --reason unknown-ean` (and a catalog import's follow-up)
asks every order needing attention what it waits for. An order whose
worker is down cannot answer, and the server holds such a query about
30 s after its worker stopped: it must neither hold up the others nor
vanish from the report."""

import time
import uuid

from domain.catalog import Product
from domain.order.status import OrderStatus, Step
from domain.reasons import WaitingReason
from starter.resume_api import resume_waiting
from tests.workflows.helpers import place_and_start, wait_for, wait_for_attention

KETTLE_EAN = "5012345678900"
KETTLE = {"ean": KETTLE_EAN, "unitPrice": "29.95", "title": "Kettle we never listed", "quantity": 1}


async def test_orders_whose_worker_is_down_are_named_and_do_not_hold_up_the_rest(dev_env, engines, bol):
    client = dev_env.client
    gone_queue, serving_queue = f"tq-{uuid.uuid4()}", f"tq-{uuid.uuid4()}"
    unserved = []
    async with engines.build(gone_queue).worker(client):
        for _ in range(2):
            order, handle = await place_and_start(client, bol, gone_queue, [KETTLE])
            assert Step.ACCEPT in (await wait_for_attention(handle)).attention
            unserved.append(order["orderId"])
    engine = engines.build(serving_queue)
    async with engine.worker(client):
        order, waiting = await place_and_start(client, bol, serving_queue, [KETTLE])
        await wait_for_attention(waiting)
        engine.inventory.upsert_product(Product(sku="KETTLE", ean=KETTLE_EAN, title="Kettle"))
        engine.inventory.set_stock("KETTLE", 3)

        started = time.monotonic()
        outcome = await resume_waiting(client, WaitingReason.UNKNOWN_EAN, engine.inventory, "a test")
        took = time.monotonic() - started

        assert order["orderId"] in outcome.resumed
        assert set(unserved) <= set(outcome.unanswered)
        assert any(f"{unserved[0]} did not answer" in line for line in outcome.lines())
        # Asked one after the other, the two unserved orders held it up about 30 s each.
        assert took < 25, f"{took:.1f} s"
        await wait_for(waiting, OrderStatus.AWAITING_PICK)
        for handle_id in unserved:
            await client.get_workflow_handle(f"order:bol:{handle_id}").terminate("test over")
