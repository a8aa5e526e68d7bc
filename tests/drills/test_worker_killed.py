"""The worker dies with SIGKILL while the marketplace holds the answer to a
shipment it has already accepted, mid-run, and comes back: the retried ship
activity finds the shipment already sent and does not send it again; every
order completes, the marketplace saw exactly one shipment per order line
(per unit on Kaufland), and the store holds exactly one reservation per line.

The kill is not left to chance: a hold fault keeps the first shipment's
answer back until the worker is dead, so the at-most-once path always runs."""

from tests.drills.conftest import BOTH_MARKETS
from tests.support import eventually


@BOTH_MARKETS
async def test_sigkill_with_a_shipment_in_flight_loses_nothing_and_does_nothing_twice(drill, request):
    market = drill.market
    await drill.start()
    await drill.add_fault(path=market.ship_path, method=market.ship_method, kind="hold", times=1)
    # Small runs (the suite's time budget): one held shipment among others is the point.
    orders = await drill.place_orders(12 if market.name == "bol" else 6)

    held = await drill.held_request()
    drill.kill_worker()  # the marketplace has the shipment; the worker never hears so
    await drill.release_holds()
    drill.start_worker()

    order = market.held_order(orders, held)
    attempts: list[int] = []

    async def shipped_by_a_retry() -> bool:
        attempts[:] = await drill.activity_attempts(drill.workflow_id(order), "ship_lines")
        return bool(attempts)

    await eventually(shipped_by_a_retry, timeout=120, interval=0.5)
    assert max(attempts) > 1, f"the ship activity was not retried: attempts {attempts}"
    requests = await drill.sandbox_json(f"/_sandbox/requests?path={market.api_prefix}")
    posts = [r for r in requests if market.is_held_shipment(r, held)]
    assert len(posts) == 1, "the retry sent the held shipment again"

    await drill.wait_for(orders, "CLOSED", timeout=240)
    await drill.assert_each_shipped_once(orders)
    reservations = drill.inventory.reservations(drill.channel)
    assert sorted(r.line_id for r in reservations) == sorted(market.line_ids(orders))
    assert {r.state for r in reservations} == {"SHIPPED"}
