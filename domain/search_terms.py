"""What people type to find orders (an order id in any of its forms, a
status, a channel name), checked before it reaches a workflow id or a
visibility query. Each check is a ValueError with the reason, so the
command line can name the argument while it parses."""

import re

from domain.ids import ORDER_PREFIX, order_workflow_id
from domain.order.status import OrderStatus

# Channel names and marketplace order ids as people type them: letters,
# digits and ._- only, so they never change the meaning of a visibility query.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")

ORDER_ID_FORMS = "order:CHANNEL:ID, CHANNEL:ID or ID"


def order_status(status: str) -> OrderStatus:
    try:
        return OrderStatus(status.upper())
    except ValueError:
        raise ValueError(f"{status!r} is not an order status; one of {', '.join(OrderStatus)}") from None


def channel_name(channel: str) -> str:
    if not NAME.fullmatch(channel):
        raise ValueError(f"{channel!r} is not a channel name (letters, digits, ._-)")
    return channel


def resolve_order_id(order_id: str, default_channel: str = "bol") -> str:
    """Accept `order:bol:123`, `bol:123` or `123` (on the default channel).
    Anything else is a ValueError saying which forms are understood."""
    parts = order_id.split(":")
    if parts[0] == ORDER_PREFIX:
        if len(parts) != 3:
            raise ValueError(f"{order_id!r} is not an order id; expected {ORDER_ID_FORMS}")
        channel, marketplace_order_id = parts[1:]
    elif len(parts) == 2:
        channel, marketplace_order_id = parts
    elif len(parts) == 1:
        channel, marketplace_order_id = default_channel, order_id
    else:
        raise ValueError(f"{order_id!r} is not an order id; expected {ORDER_ID_FORMS}")
    if not (NAME.fullmatch(channel) and NAME.fullmatch(marketplace_order_id)):
        raise ValueError(f"{order_id!r} is not an order id; expected {ORDER_ID_FORMS} (letters, digits, ._-)")
    return order_workflow_id(channel, marketplace_order_id)
