"""Workflow ids. They are the idempotency keys of the whole engine: a second
start with the same id is a no-op, so an order can never run twice."""

import re

ORDER_PREFIX = "order"
# What may stand between the colons of an order's workflow id. Each
# marketplace's adapter checks its own, narrower id format; this is the floor
# for all of them, so no id can carry a separator, a space or a `#` into the
# key that decides whether an order is new.
_PART = re.compile(r"[A-Za-z0-9_.-]{1,64}")


def order_workflow_id(channel: str, marketplace_order_id: str) -> str:
    for name, value in (("channel", channel), ("marketplace_order_id", marketplace_order_id)):
        if not _PART.fullmatch(value):
            raise ValueError(
                f"{name}: {value[:40]!r} cannot be part of an order's workflow id (letters, digits, '_.-')"
            )
    return f"{ORDER_PREFIX}:{channel}:{marketplace_order_id}"


# A supplier portal's order number, as any of its transports may write it
# ("po-1001 " in a mail, "PO-1001" from the API): one number, one workflow.
_PORTAL_ORDER_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9_.-]{0,63}")


def portal_order_number(raw: str) -> str:
    """The portal's order number in the one spelling every transport maps to
    (trimmed, upper case); ValueError naming what is wrong otherwise."""
    number = raw.strip().upper()
    if not _PORTAL_ORDER_NUMBER.fullmatch(number):
        raise ValueError(
            f"{raw[:40]!r} is not a portal order number (1-64 letters, digits, '_.-', starting with a letter or digit)"
        )
    return number


def supplier_order_workflow_id(channel: str, raw_order_number: str) -> str:
    """From the channel and the portal's order number, never the transport:
    the same order by webhook, API, file or mail is one workflow."""
    return order_workflow_id(channel, portal_order_number(raw_order_number))


def parse_order_workflow_id(workflow_id: str) -> tuple[str, str]:
    prefix, channel, order_id = workflow_id.split(":", 2)
    if prefix != ORDER_PREFIX:
        raise ValueError(f"not an order workflow id: {workflow_id!r}")
    return channel, order_id


def offer_sync_workflow_id(channel: str) -> str:
    return f"offer-sync:{channel}"


def offer_reconcile_workflow_id(channel: str) -> str:
    return f"offer-reconcile:{channel}"


def intake_workflow_id(channel: str) -> str:
    return f"intake:{channel}"


def line_key(channel: str, marketplace_order_id: str, line_id: str) -> str:
    """Stable key of one order line: the store's reservation key."""
    return f"{channel}:{marketplace_order_id}:{line_id}"


def parse_line_key(key: str) -> tuple[str, str, str]:
    """(channel, marketplace order id, line id) of a line key. Channel names
    and order ids hold no colon (they are checked at the edges)."""
    channel, marketplace_order_id, line_id = key.split(":", 2)
    return channel, marketplace_order_id, line_id


def alert_schedule_id(task_queue: str, default_queue: str = "ordertide") -> str:
    """One alert schedule per task queue: engines sharing a namespace on
    their own queues (tests, a staging engine) do not evaluate each other."""
    return "alerts-evaluation" if task_queue == default_queue else f"alerts-evaluation:{task_queue}"


def alerts_workflow_id(task_queue: str, default_queue: str = "ordertide") -> str:
    return "alerts" if task_queue == default_queue else f"alerts:{task_queue}"
