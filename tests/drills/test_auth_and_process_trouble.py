"""Token expiry mid-run, process statuses that stay PENDING then TIME OUT, and
a refusal with bol's violations: each ends in its documented state (retried,
or NeedsAttention with the reason), never a silent stall."""

from domain import names
from domain.ids import order_workflow_id
from domain.order.messages import ResumeRequest
from domain.order.view import OrderView
from starter import orders_api
from starter.console import CommandError
from tests.support import eventually


async def _attention(drill, order) -> OrderView | None:
    try:
        view = await orders_api.show_order(drill.client, order_workflow_id("bol", order["orderId"]))
    except CommandError:  # intake has not started it yet
        return None
    return view if view.needs_attention else None


async def test_expired_tokens_are_renewed_and_nothing_stalls(drill):
    await drill.start()
    await drill.add_fault(path="/retailer/orders/", kind="expire_token", times=5)
    orders = await drill.place_orders(10)
    await drill.wait_for(orders, "CLOSED", timeout=120)
    tokens = await drill.sandbox_json("/_sandbox/requests?path=/token")
    assert 2 <= len(tokens) <= 1 + 5  # one new token per expiry, never one per call


async def test_a_process_that_times_out_and_a_refusal_need_attention_with_the_reason(drill):
    client = await drill.start()
    await drill.add_fault(path="/retailer/shipments", method="POST", kind="process_timeout", delaySeconds=2, times=1)
    [slow] = await drill.place_orders(1)
    stuck = await eventually(lambda: _attention(drill, slow), timeout=60)
    assert "TIMEOUT" in stuck.attention["ship"]

    await drill.add_fault(path="/retailer/shipments", method="POST", kind="status", status=400, times=1)
    [refused] = await drill.place_orders(1)
    stuck = await eventually(lambda: _attention(drill, refused), timeout=60)
    assert "POST /retailer/shipments: Bad Request" in stuck.attention["ship"]

    # Visible to ops in the UI's filter, and resumable.
    flagged = [wf.id async for wf in client.list_workflows(f"{names.NEEDS_ATTENTION.name} = true")]
    assert set(flagged) >= {order_workflow_id("bol", slow["orderId"]), order_workflow_id("bol", refused["orderId"])}
    for order in (slow, refused):
        await orders_api.update_order(client, order_workflow_id("bol", order["orderId"]), "resume", ResumeRequest())
    await drill.wait_for([slow, refused], "CLOSED", timeout=120)
