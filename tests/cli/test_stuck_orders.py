"""`orders stuck` without a server: which orders it asks Temporal for, and
what it says about each."""

from datetime import UTC, datetime, timedelta

import pytest
from temporalio.client import Client

from domain.channels import Marketplace
from domain.order.view import OrderView
from starter import orders_api, stuck_orders

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def summary(order_id: str, started_minutes_ago: int) -> orders_api.OrderSummary:
    return orders_api.OrderSummary(
        workflow_id=f"order:bol:{order_id}",
        channel="bol",
        marketplace_order_id=order_id,
        status="RECEIVED",
        needs_attention=False,
        started_at=NOW - timedelta(minutes=started_minutes_ago),
        running=True,
    )


@pytest.fixture
def visibility(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Answers a list query the way Temporal's visibility would for two
    orders in RECEIVED, one started 12 minutes ago, one 1 minute ago."""
    queries: list[str] = []
    orders = [summary("1043", 12), summary("1044", 1)]

    async def list_orders(client: Client, query: str, limit: int | None = None) -> list[orders_api.OrderSummary]:
        queries.append(query)
        if "StartTime < '" not in query or "OrderStatus = 'RECEIVED'" not in query:
            return []
        before = datetime.fromisoformat(query.split("StartTime < '")[1].split("'")[0])
        return [order for order in orders if order.started_at and order.started_at < before]

    async def show_order(client: Client, workflow_id: str) -> OrderView:
        channel, order_id = workflow_id.split(":")[1:]
        return OrderView(
            workflow_id=workflow_id, channel=channel, marketplace=Marketplace.BOL, marketplace_order_id=order_id
        )

    monkeypatch.setattr(orders_api, "list_orders", list_orders)
    monkeypatch.setattr(orders_api, "show_order", show_order)
    return queries


async def test_an_order_accepting_for_minutes_is_listed_though_nothing_flagged_it(visibility):
    """A marketplace outage is retried for as long as it takes, so it never
    flags the order; minutes in RECEIVED are what shows it."""
    [stuck] = await stuck_orders.stuck_orders(Client.__new__(Client), now=NOW)
    assert stuck.marketplace_order_id == "1043"
    assert stuck.reasons == ["still being accepted after 12 minutes: the marketplace (or a worker) is not answering"]
    assert stuck.resume_with.startswith("nothing to resume: accepting is retried")
