"""The supplier portal adapter. Orders come from the inbox, where every
transport (API poll, webhook, file, mail) saved them; `changed_orders`
runs the channel's pull transports and hands back what waits in the inbox.
Status updates and the stock feed go to the portal's API where it has one;
where it has not, a cancellation becomes a manual step for ops."""

import contextlib
import importlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import httpx
from pydantic import ValidationError

from activities.marketplaces.base import CommandContext
from activities.marketplaces.supplier.api import PortalApi
from activities.marketplaces.supplier.inbox import PortalInbox, Saved
from activities.marketplaces.supplier.mapping import to_order
from activities.marketplaces.supplier.notes import cancel_note, manual_cancel_instructions, ship_note
from activities.marketplaces.supplier.sources import ApiSource, OrderSource
from activities.marketplaces.supplier.wire import PortalOrder, problems
from domain.channels import Marketplace
from domain.config import SupplierChannelConfig
from domain.errors import BusinessError
from domain.ids import order_workflow_id
from domain.intake import OrderChange, UnreadableItem
from domain.offers.export import OfferExport
from domain.offers.model import LiveOffer, OfferChange, OfferOutcome
from domain.order.aftersales import InvoiceFile, InvoiceReceipt, Ticket
from domain.order.commands import CommandResult, ShipmentResult
from domain.order.marketplace import Order, ReturnNotice
from domain.order.view import LineQuantity, Transport
from domain.reasons import CancellationReason, ReturnHandling

log = logging.getLogger(__name__)

# Builds the file-drop and mail sources; each registers its factory here when
# its module (SOURCE_MODULES) is imported, so this module stays transport-free.
SourceFactory = Callable[[str, SupplierChannelConfig], OrderSource]
SOURCE_FACTORIES: dict[str, SourceFactory] = {}
SOURCE_MODULES = {
    "file": "activities.marketplaces.supplier.file_drop",
    "email": "activities.marketplaces.supplier.mailbox",
}


class SupplierAdapter:
    marketplace = Marketplace.SUPPLIER

    def __init__(
        self,
        channel: str,
        config: SupplierChannelConfig,
        inbox: PortalInbox,
        transport: httpx.AsyncBaseTransport | None = None,
        sources: list[OrderSource] | None = None,
    ):
        self.channel = channel
        self.config = config
        self.inbox = inbox
        self.api = PortalApi(config, transport) if config.api.base_url else None
        self.sources = sources if sources is not None else self._sources()

    def _sources(self) -> list[OrderSource]:
        mode = self.config.intake
        if mode == "api":
            if self.api is None:
                raise ValueError(f"channel {self.channel}: intake 'api' needs api.base_url")
            return [ApiSource(self.api, self.config.api.overlap, self.config.api.lookback)]
        if mode == "webhook":
            return []  # pushed: the receiver saves each order (workers/webhooks.py)
        if mode not in SOURCE_FACTORIES and mode in SOURCE_MODULES:
            with contextlib.suppress(ModuleNotFoundError):
                importlib.import_module(SOURCE_MODULES[mode])
        factory = SOURCE_FACTORIES.get(mode)
        if factory is None:
            raise ValueError(f"channel {self.channel}: intake {mode!r} is not available in this build")
        return [factory(self.channel, self.config)]

    async def aclose(self) -> None:
        for source in self.sources:
            await source.aclose()
        if self.api is not None:
            await self.api.aclose()

    async def check_credentials(self) -> None:
        """The API (one page of orders, none long), then each pull transport's login."""
        if self.api is not None:
            now = datetime.now().astimezone()
            await self.api.orders_page(now, now, 1)
        for source in self.sources:
            await source.check()

    # Intake.

    async def take(self, order: PortalOrder, via: str) -> Saved:
        """Save one delivered order; a second delivery with other content
        keeps the first and says so (the caller reports it)."""
        return await self.inbox.save(self.channel, order, via)

    async def changed_orders(
        self, since: datetime | None, now: datetime, skip: Callable[[UnreadableItem], None] | None = None
    ) -> list[OrderChange]:
        def skipped(item: UnreadableItem) -> None:
            if skip is None:
                raise BusinessError(f"{item.kind} {item.item_id}: {item.reason}")
            skip(item)

        for source in self.sources:

            async def take(order: PortalOrder, via: str = source.via) -> Saved:
                saved = await self.take(order, via)
                if saved.conflict:
                    skipped(UnreadableItem(kind="order", item_id=order.order_number, reason=saved.conflict))
                return saved

            await source.read(since, now, take, skipped)
        changes = []
        for order in await self.inbox.waiting(self.channel):
            if not order.open:  # cancelled or shipped on the portal before we read it: nothing to run
                await self.inbox.mark_read(self.channel, order.order_number)
                continue
            changes.append(OrderChange(marketplace_order_id=order.order_number, placed_at=order.placed_at, open=True))
        return changes

    async def get_order(self, marketplace_order_id: str) -> Order:
        portal = await self.portal_order(marketplace_order_id)
        await self.inbox.mark_read(self.channel, portal.order_number)
        return to_order(self.channel, portal)

    async def portal_order(self, order_number: str) -> PortalOrder:
        """From the inbox; else (a push that named only the number) from the
        API, retried while the portal does not show it yet."""
        portal = await self.inbox.get(self.channel, order_number)
        if portal is not None:
            return portal
        if self.api is None:
            raise BusinessError(f"order {order_number} was never delivered to channel {self.channel}")
        raw = await self.api.order(order_number)
        try:
            portal = PortalOrder.model_validate(raw)
        except ValidationError as exc:
            raise BusinessError(f"the portal's order {order_number} cannot be read: {problems(exc)}") from None
        await self.take(portal, "api")
        return portal

    async def open_returns(self, skip: Callable[[UnreadableItem], None] | None = None) -> list[ReturnNotice]:
        return []  # the portal has no returns API: returns are received at the warehouse

    # Back to the portal.

    async def ship(
        self,
        marketplace_order_id: str,
        lines: list[LineQuantity],
        shipped_before: dict[str, int],
        transport: Transport,
        reference: str | None,
        ctx: CommandContext,
    ) -> ShipmentResult:
        if self.api is not None and self.config.status_updates == "api":
            quantities = {line.line_id: line.quantity for line in lines}
            await self.api.update_status(
                marketplace_order_id,
                {
                    # The same shipment gets the same id, so a retry after a lost answer is one update.
                    "update_id": _update_id("ship", marketplace_order_id, shipped_before, quantities),
                    "status": "shipped",
                    "lines": [{"line": line, "quantity": qty} for line, qty in quantities.items()],
                    "carrier": transport.transporter_code,
                    "tracking": transport.track_and_trace,
                    "note": ship_note(transport, quantities),
                },
            )
        return ShipmentResult(shipped=lines)

    async def cancel_line(
        self, marketplace_order_id: str, line_id: str, reason: CancellationReason, ctx: CommandContext
    ) -> CommandResult:
        portal = await self.portal_order(marketplace_order_id)
        item = next((i for i in portal.items if i.line == line_id), None)
        note = cancel_note(line_id, item.sku if item else None, item.quantity if item else 1, reason)
        if self.api is not None and self.config.status_updates == "api":
            await self.api.update_status(
                marketplace_order_id,
                {
                    "update_id": _update_id("cancel", marketplace_order_id, {}, {line_id: 0}),
                    "status": "cancelled",
                    "lines": [{"line": line_id, "quantity": item.quantity if item else 1}],
                    "reason": reason.value,
                    "note": note,
                },
            )
            return CommandResult()
        workflow_id = order_workflow_id(self.channel, marketplace_order_id)
        return CommandResult(
            manual_step=manual_cancel_instructions(
                self.config.portal_name, self.config.portal_url, marketplace_order_id, workflow_id, note
            )
        )

    async def handle_return(
        self,
        rma_id: str,
        return_id: str | None,
        handling: ReturnHandling,
        quantity: int,
        ctx: CommandContext,
        message: str | None = None,
    ) -> CommandResult:
        return CommandResult()  # nothing to tell the portal: it has no returns

    # After sales: the portal's retailer invoices its buyer and talks to them.

    async def upload_invoice(self, marketplace_order_id: str, invoice: InvoiceFile) -> InvoiceReceipt:
        raise BusinessError(f"channel {self.channel}: the portal's retailer invoices the buyer; it takes no invoice")

    async def open_tickets(
        self, marketplace_order_id: str | None = None, opened_before: datetime | None = None
    ) -> list[Ticket]:
        return []

    async def reply_ticket(self, ticket_id: str, text: str) -> None:
        raise BusinessError(f"channel {self.channel}: the portal has no buyer messages")

    # Offers: a stock feed where the portal takes one.

    async def push_offers(
        self, changes: list[OfferChange], on_outcome: Callable[[OfferOutcome], Awaitable[None]]
    ) -> list[OfferOutcome]:
        outcomes: list[OfferOutcome] = []
        if self.api is None or not self.config.stock_feed:
            raise BusinessError(f"channel {self.channel}: the portal takes no stock feed (stock_feed = false)")
        items: list[dict[str, Any]] = [
            # An offer on hold (margin floor, excluded) is offered with no stock.
            {
                "sku": c.sku,
                "ean": c.desired.ean,
                "stock": 0 if c.desired.on_hold else c.desired.stock,
                "price": str(c.desired.price),
            }
            for c in changes
        ]
        results = {str(r.get("sku")): r for r in await self.api.stock_feed(items)}
        for change in changes:
            result = results.get(change.sku, {})
            accepted = bool(result.get("accepted"))
            reasons = [] if accepted else [str(result.get("reason") or "the portal did not answer for this SKU")]
            outcome = OfferOutcome(sku=change.sku, accepted=accepted, offer_id=change.sku, reasons=reasons)
            await on_outcome(outcome)
            outcomes.append(outcome)
        return outcomes

    async def live_offer(self, offer_id: str) -> LiveOffer:
        raise BusinessError("the portal shows no offers: its stock feed is write-only")

    async def export_offers(self) -> OfferExport:
        raise BusinessError("the portal has no offer export")


def _update_id(kind: str, order_number: str, before: dict[str, int], lines: dict[str, int]) -> str:
    parts = [f"{line}:{before.get(line, 0)}+{qty}" for line, qty in sorted(lines.items())]
    return f"{kind}:{order_number}:{','.join(parts)}"
