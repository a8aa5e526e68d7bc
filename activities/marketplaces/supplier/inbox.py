"""Where a portal order read by any transport is kept until its workflow has
read it. Every transport saves first, then hands the order to Temporal: a
crash between the two leaves the order in the inbox, and the channel's
intake hands over whatever is still waiting (`waiting`). The inbox lives in
the store (activities/store/supplier_inbox.py); the adapter sees only this."""

from dataclasses import dataclass
from typing import Protocol

from activities.marketplaces.supplier.wire import PortalOrder


@dataclass(frozen=True)
class Saved:
    """The outcome of saving one delivery of an order."""

    order_number: str
    # First delivery of this order number (by any transport).
    new: bool
    # Delivered before with other content: the first is kept, ops are told.
    conflict: str | None = None


class PortalInbox(Protocol):
    async def save(self, channel: str, order: PortalOrder, via: str) -> Saved: ...

    async def get(self, channel: str, order_number: str) -> PortalOrder | None: ...

    async def mark_read(self, channel: str, order_number: str) -> None:
        """The order's workflow has read it: no more hand-overs needed."""

    async def waiting(self, channel: str, limit: int = 100) -> list[PortalOrder]:
        """Saved orders whose workflow has not read them yet."""
