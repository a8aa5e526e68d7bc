"""What the portal is told, in words: the note with a status update, and the
manual step ops follow where the portal has no API for it (seeds 001: the
retailer is e-mailed the note, so it must read well)."""

from domain.order.view import Transport
from domain.reasons import CancellationReason

REASON_WORDS: dict[CancellationReason, str] = {
    CancellationReason.OUT_OF_STOCK: "the item is out of stock",
    CancellationReason.REQUESTED_BY_CUSTOMER: "the customer asked to cancel",
    CancellationReason.BAD_CONDITION: "the item is not in a condition we can send",
    CancellationReason.HIGHER_SHIPCOST: "shipping costs more than expected",
    CancellationReason.INCORRECT_PRICE: "the item was listed at a wrong price",
    CancellationReason.NOT_AVAIL_IN_TIME: "the item cannot be delivered in time",
    CancellationReason.NO_BOL_GUARANTEE: "the delivery promise cannot be kept",
    CancellationReason.ORDERED_TWICE: "the customer ordered it twice",
    CancellationReason.RETAIN_ITEM: "the customer keeps the item",
    CancellationReason.TECH_ISSUE: "a technical problem on our side",
    CancellationReason.UNFINDABLE_ITEM: "the item cannot be found in our warehouse",
    CancellationReason.OTHER: "another reason",
}

PORTAL_CANCEL_STEP = "portal-cancel"


def cancel_note(line_id: str, sku: str | None, quantity: int, reason: CancellationReason) -> str:
    item = f"line {line_id}" + (f" ({sku})" if sku else "")
    return f"Cancelled {quantity} x {item}: {REASON_WORDS[reason]}."


def ship_note(transport: Transport, lines: dict[str, int]) -> str:
    shipped = ", ".join(f"{qty} x line {line}" for line, qty in lines.items())
    tracking = f", tracking {transport.track_and_trace}" if transport.track_and_trace else ""
    return f"Shipped {shipped} with {transport.transporter_code}{tracking}."


def manual_cancel_instructions(
    portal_name: str, portal_url: str | None, order_number: str, workflow_id: str, note: str
) -> str:
    """Exactly what ops do by hand (seeds 001), the note to paste, and how to say it is done."""
    where = f"{portal_name} ({portal_url})" if portal_url else portal_name
    order_ref = workflow_id.split(":", 1)[1] if workflow_id.startswith("order:") else workflow_id
    return (
        f"Manual step {PORTAL_CANCEL_STEP}: log in to {where}, go to ORDER HISTORY, edit order {order_number}, "
        f'change the status to cancelled, add the note "{note}" and click update. '
        f"Then confirm: ordertide order confirm {order_ref} --step {PORTAL_CANCEL_STEP}"
    )
