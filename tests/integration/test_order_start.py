"""Intake accepts a new order before its workflow starts, and starts it with
the search attributes it will wait with (issue 12: an acceptance in the
workflow costs a marker task, attributes given at start cost nothing). An
order it has accepted before, or cannot read, starts as before: its
workflow accepts it."""

from typing import Any

from activities.order_start import prepare_start
from domain import names
from domain.channels import Marketplace
from domain.order.messages import ORDER_CODE_VERSION
from domain.order.state import ship_by_deadline
from domain.order.view import OrderRef
from tests.workflows.helpers import MUG


def _values(attributes: Any) -> dict[str, object]:
    return {pair.key.name: pair.value for pair in attributes}


def _ref(order_id: str) -> OrderRef:
    return OrderRef(channel="bol", marketplace=Marketplace.BOL, marketplace_order_id=order_id)


async def test_a_new_order_starts_accepted_awaiting_pick_with_its_ship_by(engines, bol, task_queue, dev_env):
    engine = engines.build(task_queue)
    accept = engine.order_activities(dev_env.client).accept_new
    order = await bol.place_order([{**MUG, "quantity": 2}])
    expected = ship_by_deadline((await engine.channels["bol"].get_order(order["orderId"])).ship_by)
    assert expected is not None

    start = await prepare_start(engine.channels, _ref(order["orderId"]), accept)

    assert start.accepted is not None
    assert [(line.sku, line.reserved) for line in start.accepted.lines] == [("MUG-BLUE", True)]
    assert engine.inventory.stock("MUG-BLUE").reserved == 2
    assert _values(start.search_attributes) == {
        names.CHANNEL.name: "bol",
        names.MARKETPLACE_ORDER_ID.name: order["orderId"],
        names.NEEDS_ATTENTION.name: False,
        names.ORDER_STATUS.name: "AWAITING_PICK",
        names.SHIP_BY.name: expected,
        # The code version its input tells (free at start): ops tell it from an unrun, unaccepted start.
        names.CODE_VERSION.name: names.order_code_version_mark(ORDER_CODE_VERSION),
    }

    # Seen again (a poll after its push, a sweep, a restarted intake): its
    # workflow runs; nothing is accepted twice, and bol is not asked again.
    reads = len(bol.state.requests(f"/retailer/orders/{order['orderId']}"))
    again = await prepare_start(engine.channels, _ref(order["orderId"]), accept)
    assert again.accepted is None
    assert _values(again.search_attributes) == _values(start.search_attributes)
    assert engine.inventory.stock("MUG-BLUE").reserved == 2
    assert len(bol.state.requests(f"/retailer/orders/{order['orderId']}")) == reads


async def test_an_order_with_an_unknown_ean_starts_accepted_but_received_for_its_workflow_to_flag(
    engines, bol, task_queue, dev_env
):
    engine = engines.build(task_queue)
    order = await bol.place_order([{"ean": "4006381333948", "quantity": 1, "unitPrice": "5.00", "title": "Unknown"}])

    start = await prepare_start(
        engine.channels, _ref(order["orderId"]), engine.order_activities(dev_env.client).accept_new
    )

    assert start.accepted is not None and start.accepted.unknown_eans == ["4006381333948"]
    assert _values(start.search_attributes)[names.ORDER_STATUS.name] == "RECEIVED"


async def test_an_order_that_cannot_be_read_starts_received_unaccepted(engines, task_queue, dev_env):
    engine = engines.build(task_queue)

    # bol has no such order
    start = await prepare_start(engine.channels, _ref("9999999999"), engine.order_activities(dev_env.client).accept_new)

    assert start.accepted is None
    attributes = _values(start.search_attributes)
    assert attributes[names.ORDER_STATUS.name] == "RECEIVED"
    assert names.SHIP_BY.name not in attributes


async def test_without_the_store_an_order_is_read_for_its_attributes_only(engines, bol, task_queue):
    engine = engines.build(task_queue)
    order = await bol.place_order([{**MUG, "quantity": 1}])

    start = await prepare_start(engine.channels, _ref(order["orderId"]), None)

    assert start.accepted is None
    assert _values(start.search_attributes)[names.ORDER_STATUS.name] == "AWAITING_PICK"
    assert engine.inventory.stock("MUG-BLUE").reserved == 0
