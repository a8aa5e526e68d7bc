"""The worker dies with SIGKILL in the middle of a 200-order run and comes
back: every order completes, bol saw exactly one shipment per order line,
and the store holds exactly one reservation per line."""

from tests.drills.harness import assert_each_line_shipped_once


async def test_sigkill_mid_run_loses_nothing_and_does_nothing_twice(drill):
    await drill.start()
    orders = await drill.place_orders(200)
    await drill.wait_for(orders, "SHIPPED", at_least=60)
    drill.kill_worker()
    drill.start_worker()
    await drill.wait_for(orders, "CLOSED", timeout=300)

    assert_each_line_shipped_once(orders, await drill.sandbox_json("/_sandbox/shipments"))
    reservations = drill.inventory.reservations("bol")
    lines = {item["orderItemId"] for order in orders for item in order["orderItems"]}
    assert sorted(r.line_id for r in reservations) == sorted(lines)
    assert {r.state for r in reservations} == {"SHIPPED"}
