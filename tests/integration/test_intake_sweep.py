"""Intake finds every open order, even one its change-interval reads missed.

bol pages orders by offset; orders shipped while intake reads the pages
shift them, so a read can skip an order, and the next reads ask only for
orders changed in the last minutes. (The memory benchmark lost 43 of 5,000
orders this way before the sweep existed.)"""

from datetime import UTC, datetime, timedelta

import httpx
from temporalio.testing import ActivityEnvironment

from activities.channels import Channels
from activities.intake import IntakeActivities
from domain.ids import order_workflow_id
from domain.intake import IntakeWatch
from sandbox.bol.app import create_app
from sandbox.bol.config import BolSandboxConfig
from tests.support import SandboxedBol, bol_channel
from tests.workflows.helpers import MUG


async def test_an_order_outside_the_change_interval_is_found_by_the_next_sweep(dev_env, task_queue):
    offset = [timedelta(minutes=-10)]
    app = create_app(BolSandboxConfig(process_delay_seconds=0.05), clock=lambda: datetime.now(UTC) + offset[0])
    bol = SandboxedBol(app=app, transport=httpx.ASGITransport(app=app))
    order = await bol.place_order([{**MUG, "quantity": 1}])  # last changed ten minutes ago
    offset[0] = timedelta(0)

    channels = Channels.from_config({"bol": bol_channel(bol.url)}, {"bol": bol.transport})
    intake = IntakeActivities(channels, dev_env.client, task_queue)
    now = datetime.now(UTC)
    watch = IntakeWatch(
        channel="bol",
        cursor=now - timedelta(seconds=5),
        swept_at=now - timedelta(minutes=1),
        interval=timedelta(milliseconds=50),
        duration=timedelta(milliseconds=300),
    )
    try:
        quiet = await ActivityEnvironment().run(intake.watch_channel, watch)
        assert quiet.polls > 1 and quiet.orders_started == 0  # "changed in the last 2 minutes" hides it
        assert quiet.swept_at == watch.swept_at

        sweep_due = watch.model_copy(update={"cursor": quiet.cursor, "swept_at": now - timedelta(minutes=6)})
        swept = await ActivityEnvironment().run(intake.watch_channel, sweep_due)
        assert swept.orders_started == 1
        assert swept.swept_at is not None and swept.swept_at > now

        order_reads = [r["query"] for r in bol.state.requests("/retailer/orders") if r["path"] == "/retailer/orders"]
        full_reads = [q for q in order_reads if "change-interval-minute" not in q and q["page"] == "1"]
        assert len(full_reads) == 1  # one sweep per sweep interval, not one per poll
        handle = dev_env.client.get_workflow_handle(order_workflow_id("bol", order["orderId"]))
        assert (await handle.describe()).workflow_type == "OrderWorkflow"
        await handle.terminate("test over")
    finally:
        await channels.aclose()
