"""An order's workflow starts with the search attributes it will wait with,
read from the marketplace just before (issue 12: given at start they cost
no Temporal action), and with the ones it can vouch for when that read fails."""

from typing import Any

from activities.order_start import start_attributes
from domain import names
from domain.order.state import ship_by_deadline
from tests.workflows.helpers import MUG


def _values(attributes: Any) -> dict[str, object]:
    return {pair.key.name: pair.value for pair in attributes}


async def test_an_order_read_before_its_start_starts_awaiting_pick_with_its_ship_by(engines, bol, task_queue):
    engine = engines.build(task_queue)
    order = await bol.place_order([{**MUG, "quantity": 1}])
    expected = ship_by_deadline((await engine.channels["bol"].get_order(order["orderId"])).ship_by)
    assert expected is not None

    attributes = _values(await start_attributes(engine.channels, "bol", order["orderId"]))

    assert attributes == {
        names.CHANNEL.name: "bol",
        names.MARKETPLACE_ORDER_ID.name: order["orderId"],
        names.NEEDS_ATTENTION.name: False,
        names.ORDER_STATUS.name: "AWAITING_PICK",
        names.SHIP_BY.name: expected,
    }


async def test_an_order_that_cannot_be_read_starts_received_without_ship_by(engines, task_queue):
    engine = engines.build(task_queue)

    attributes = _values(await start_attributes(engine.channels, "bol", "9999999999"))  # bol has no such order

    assert attributes[names.ORDER_STATUS.name] == "RECEIVED"
    assert names.SHIP_BY.name not in attributes
