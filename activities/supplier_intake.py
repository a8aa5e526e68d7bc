"""How a supplier portal order read by any transport reaches Temporal, once.

Every transport ends here or in the intake poll (activities/intake.py),
and both do the same two steps: save the order in the inbox, then start
its workflow by `order:{channel}:{order number}` with the intake's start
(conflict policy USE_EXISTING), so the same order by the same or another
transport is one workflow. An order saved but not yet handed over (a crash
between the steps, Temporal down) is handed over by the channel's next
intake poll, which lists what waits in the inbox."""

from dataclasses import dataclass
from datetime import UTC, datetime

from activities.channels import UnknownChannel
from activities.intake import IntakeActivities
from activities.marketplaces.supplier.adapter import SupplierAdapter
from activities.marketplaces.supplier.wire import PortalOrder
from domain.ids import portal_order_number
from domain.intake import OrderChange


@dataclass(frozen=True)
class Received:
    order_number: str
    # First delivery of the order by any transport.
    new: bool
    # Handed to Temporal now (False: this process already had, or the portal closed it).
    started: bool
    conflict: str | None = None


class SupplierIntake:
    def __init__(self, intake: IntakeActivities):
        self.intake = intake

    def adapter(self, channel: str) -> SupplierAdapter | None:
        try:
            adapter = self.intake.channels[channel]
        except UnknownChannel:
            return None
        return adapter if isinstance(adapter, SupplierAdapter) else None

    async def receive(self, channel: str, order: PortalOrder, via: str) -> Received:
        """Save, then hand over. Raises when the store or Temporal cannot
        take it now: the sender delivers again (or the next poll does)."""
        adapter = self.adapter(channel)
        if adapter is None:
            raise UnknownChannel(f"channel {channel!r} is not a supplier channel on this worker")
        saved = await adapter.take(order, via)
        started = await self.intake.dispatch_order(
            channel, OrderChange(marketplace_order_id=order.order_number, placed_at=order.placed_at, open=order.open)
        )
        return Received(order.order_number, saved.new, started, saved.conflict)

    async def receive_hint(self, channel: str, raw_order_number: str) -> Received:
        """A push naming only the order number: the workflow reads the order
        through the portal's API, retried until the portal shows it."""
        number = portal_order_number(raw_order_number)
        started = await self.intake.dispatch_order(
            channel, OrderChange(marketplace_order_id=number, placed_at=datetime.now(UTC), open=True)
        )
        return Received(number, False, started)
