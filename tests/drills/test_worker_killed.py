"""The worker dies with SIGKILL while bol holds the answer to a shipment it
has already accepted, mid-run, and comes back: the retried ship activity
finds the shipment already sent and does not send it again; every order
completes, bol saw exactly one shipment per order line, and the store holds
exactly one reservation per line.

The kill is not left to chance: a hold fault keeps the first shipment's
answer back until the worker is dead, so the at-most-once path always runs."""

from domain.ids import order_workflow_id
from tests.drills.harness import assert_each_line_shipped_once
from tests.support import eventually


async def test_sigkill_with_a_shipment_in_flight_loses_nothing_and_does_nothing_twice(drill):
    await drill.start()
    await drill.add_fault(path="/retailer/shipments", method="POST", kind="hold", times=1)
    orders = await drill.place_orders(60)

    held = await drill.held_request()
    drill.kill_worker()  # bol has the shipment; the worker never hears so
    await drill.release_holds()
    drill.start_worker()

    held_lines = {item["orderItemId"] for item in held["body"]["orderItems"]}
    [order] = [o for o in orders if held_lines & {item["orderItemId"] for item in o["orderItems"]}]
    attempts: list[int] = []

    async def shipped_by_a_retry() -> bool:
        attempts[:] = await drill.activity_attempts(order_workflow_id("bol", order["orderId"]), "ship_lines")
        return bool(attempts)

    await eventually(shipped_by_a_retry, timeout=120, interval=0.5)
    assert max(attempts) > 1, f"the ship activity was not retried: attempts {attempts}"
    posts = [
        r
        for r in await drill.sandbox_json("/_sandbox/requests?path=/retailer/shipments")
        if r["method"] == "POST" and held_lines & {item["orderItemId"] for item in r["body"]["orderItems"]}
    ]
    assert len(posts) == 1, "the retry sent the held shipment again"

    await drill.wait_for(orders, "CLOSED", timeout=240)
    assert_each_line_shipped_once(orders, await drill.sandbox_json("/_sandbox/shipments"))
    reservations = drill.inventory.reservations("bol")
    lines = {item["orderItemId"] for order in orders for item in order["orderItems"]}
    assert sorted(r.line_id for r in reservations) == sorted(lines)
    assert {r.state for r in reservations} == {"SHIPPED"}
