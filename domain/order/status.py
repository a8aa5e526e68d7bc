"""Where an order is in its lifecycle, and why it may need attention."""

from enum import StrEnum


class OrderStatus(StrEnum):
    RECEIVED = "RECEIVED"
    AWAITING_PICK = "AWAITING_PICK"
    SHIPPING = "SHIPPING"
    SHIPPED = "SHIPPED"
    RETURN_OPEN = "RETURN_OPEN"
    CLOSED = "CLOSED"
    CANCELLED = "CANCELLED"


class Step(StrEnum):
    """Why an order needs attention. Resuming retries a failed step; a late
    return only informs (handling the return clears it)."""

    ACCEPT = "accept"
    # The accepted order's push to the warehouse (activities/warehouse.py).
    WAREHOUSE = "warehouse"
    CANCEL = "cancel"
    SHIP = "ship"
    RETURN = "return"
    LATE_RETURN = "late return"
    # A buyer's message waits past the marketplace's response time; answering
    # it (`order reply`) clears it, like handling a late return.
    UNANSWERED_MESSAGE = "unanswered message"
    # Manual steps: the marketplace has no API for them. Ops do them by hand
    # and confirm (`ordertide order confirm ID --step portal-cancel`);
    # resume does not clear them.
    PORTAL_CANCEL = "portal-cancel"


MANUAL_STEPS = frozenset({Step.PORTAL_CANCEL})


class ManualStep(StrEnum):
    """What `ordertide order confirm --step` takes: the manual steps."""

    PORTAL_CANCEL = Step.PORTAL_CANCEL.value
