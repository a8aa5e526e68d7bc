"""Stuck orders: those that need attention, have waited past their SLA or
have been accepting for minutes, each with the command that resumes it
(`ordertide orders stuck`)."""

from datetime import UTC, datetime, timedelta

from pydantic import BaseModel
from temporalio.client import Client

from activities.order_search import order_views
from domain import names
from domain.order.status import MANUAL_STEPS
from domain.order.view import OrderView
from starter import orders_api


class StuckOrder(BaseModel):
    workflow_id: str
    channel: str
    marketplace_order_id: str
    status: str
    reasons: list[str]
    resume_with: str


# Accepting takes seconds. Minutes in RECEIVED without NeedsAttention mean
# the marketplace is unreachable (retried for as long as it takes, so never
# flagged) or no worker serves the order.
ACCEPTING_TOO_LONG = timedelta(minutes=5)


def _command(order: orders_api.OrderSummary, view: OrderView | None, accepting: bool) -> str:
    target = f"{order.channel}:{order.marketplace_order_id}"
    manual = [step for step in (view.attention if view else {}) if step in MANUAL_STEPS]
    if manual:
        return f"do the manual step, then: ordertide order confirm {target} --step {manual[0]}"
    if view is not None and view.attention:
        return f"fix the cause, then: ordertide order resume {target}"
    if order.status == "RECEIVED" or accepting:
        return "nothing to resume: accepting is retried until the marketplace answers; check the worker's log"
    return f"ordertide order pick {target}   (or: order ship / order cancel {target})"


async def stuck_orders(client: Client, now: datetime | None = None) -> list[StuckOrder]:
    now = now or datetime.now(UTC)
    attention = orders_api.list_query(needs_attention=True)
    late = (
        f"{orders_api.list_query()} AND ExecutionStatus = 'Running' AND {names.SHIP_BY.name} < '{now.isoformat()}'"
        f" AND {names.ORDER_STATUS.name} IN ('RECEIVED', 'AWAITING_PICK', 'SHIPPING')"
    )
    # Intake before code version 1 started an order AWAITING_PICK when it
    # could read it, unaccepted (free, issue 12): one no worker has run yet
    # has no TemporalChangeVersion, which its first workflow task writes (the
    # `fewer-actions` patch). Intake now accepts an order before its start
    # and names its code version there: awaiting pick is where it is.
    accepting = (
        f"{orders_api.list_query('RECEIVED')} AND ExecutionStatus = 'Running'"
        f" AND StartTime < '{(now - ACCEPTING_TOO_LONG).isoformat()}'"
    )
    never_run = (
        f"{orders_api.list_query('AWAITING_PICK')} AND ExecutionStatus = 'Running'"
        f" AND TemporalChangeVersion IS NULL AND StartTime < '{(now - ACCEPTING_TOO_LONG).isoformat()}'"
    )
    found: dict[str, orders_api.OrderSummary] = {}
    not_accepted: set[str] = set()
    for query in (attention, late, accepting, never_run):
        for order in await orders_api.list_orders(client, query):
            found.setdefault(order.workflow_id, order)
            if query in (accepting, never_run):
                not_accepted.add(order.workflow_id)
    views = await order_views(client, list(found))
    stuck = []
    for order, view in zip(found.values(), views, strict=True):
        reasons = [f"{step}: {reason}" for step, reason in (view.attention.items() if view else [])]
        if order.ship_by and order.ship_by < now and order.status in ("RECEIVED", "AWAITING_PICK", "SHIPPING"):
            reasons.append(f"past its ship-by date {order.ship_by:%Y-%m-%d} and still {order.status}")
        accepting_for = now - order.started_at if order.started_at else None
        if not reasons and order.workflow_id in not_accepted and accepting_for and accepting_for >= ACCEPTING_TOO_LONG:
            minutes = int(accepting_for.total_seconds() // 60)
            reasons.append(
                f"still being accepted after {minutes} minutes: the marketplace (or a worker) is not answering"
            )
        if not reasons:
            reasons.append("needs attention (no worker answered for details)")
        stuck.append(
            StuckOrder(
                workflow_id=order.workflow_id,
                channel=order.channel,
                marketplace_order_id=order.marketplace_order_id,
                status=order.status,
                reasons=reasons,
                resume_with=_command(order, view, order.workflow_id in not_accepted),
            )
        )
    return stuck
