"""Every argument a person types is checked before anything connects: a bad
one is a one-line usage error naming it, exit code 2, and nothing is sent.
Temporal is unreachable here on purpose: a command that got past its
arguments would say so instead."""

import asyncio
import os

import pytest

from domain.order.status import OrderStatus
from starter import orders_api
from tests.cli.test_cli import ordertide

UNREACHABLE = {**os.environ, "TEMPORAL_ADDRESS": "127.0.0.1:1", "COLUMNS": "200"}


async def unreachable(*args: str) -> tuple[int, str, str]:
    return await ordertide(*args, env=UNREACHABLE)


BAD = [
    (("orders", "list", "--status", "LOST"), "--status", "one of " + ", ".join(OrderStatus)),
    (("orders", "list", "--channel", "bol' OR WorkflowType != 'x"), "--channel", "not a channel name"),
    (("orders", "list", "--limit", "0"), "--limit", "0 is not more than 0"),
    (("order", "show", "order:bol"), "order_id", "expected order:CHANNEL:ID, CHANNEL:ID or ID"),
    (("order", "show", "bol:"), "order_id", "is not an order id"),
    (("order", "return", "1", "--quantity", "0"), "--quantity", "0 is not more than 0"),
    (("order", "return", "1", "--rma", " "), "--rma", "must not be empty"),
    (("order", "pick", "1", "--weight", "-5"), "--weight", "-5 is not more than 0"),
    (("order", "pick", "1", "--line", "A"), "--line", "a pick needs the quantity"),
    (("order", "pick", "1", "--line", "A:0"), "--line", "quantity of at least 1"),
    (("order", "pick", "1", "--tracking", "3S BOL"), "--tracking", "one word"),
    (("order", "ship", "1", "--transporter", ""), "--transporter", "must not be empty"),
    (("order", "cancel", "1", "--line", ""), "--line", "must not be empty"),
    (("order", "cancel", "1", "--reason", "BORED"), "--reason", "'BORED' is not one of"),
    (("order", "resume", "1", "--note", ""), "--note", "must not be empty"),
    (("order", "confirm", "1", "--step", "cancel"), "--step", "'cancel' is not one of 'portal-cancel'"),
    (("order", "reply", "1", "thanks", "--ticket", "0011 OR 1"), "--ticket", "one word"),
    (("picklist", "--channel", "bol' OR x"), "--channel", "not a channel name"),
    (("picklist", "--channel", ""), "--channel", "not a channel name"),
    (("run", "--temporal-port", "99999"), "--temporal-port", "not a port"),
    (("sandbox", "bol", "--process-delay", "-1"), "--process-delay", "less than 0"),
]


async def test_a_bad_argument_is_a_one_line_usage_error_naming_it():
    results = await asyncio.gather(*(unreachable(*argv) for argv, _, _ in BAD))

    for (argv, name, reason), (code, out, err) in zip(BAD, results, strict=True):
        lines = err.strip().splitlines()
        assert (code, out) == (2, ""), (argv, code, err)
        assert len(lines) == 1 and lines[0].startswith("error: "), (argv, err)
        assert f"'{name}'" in lines[0] and reason in lines[0], (argv, lines[0])


async def test_good_arguments_get_past_the_checks():
    code, _, err = await unreachable("orders", "list", "--status", "shipped", "--channel", "bol")
    assert code == 1 and "Temporal is not reachable" in err  # reached the connect


@pytest.mark.parametrize(
    ("typed", "workflow_id"),
    [("123", "order:bol:123"), ("kaufland:A-1", "order:kaufland:A-1"), ("order:bol:123", "order:bol:123")],
)
def test_order_ids_in_every_accepted_form(typed: str, workflow_id: str):
    assert orders_api.resolve_order_id(typed) == workflow_id


def test_the_visibility_query_cannot_be_widened_by_what_is_typed():
    with pytest.raises(ValueError, match="not a channel name"):
        orders_api.list_query(channel="bol' OR WorkflowType != 'x")
    with pytest.raises(ValueError, match="not an order status"):
        orders_api.list_query(status="SHIPPED' OR 'a' = 'a")
    assert orders_api.list_query("shipped", "bol") == (
        "WorkflowType = 'OrderWorkflow' AND OrderStatus = 'SHIPPED' AND Channel = 'bol'"
    )
