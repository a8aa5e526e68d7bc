"""Kaufland Marketplace Seller API v2 as a MarketplaceAdapter. Each concern
lives in a module of its own (orders, carriers; offers, returns, tickets and
invoices beside them); this class only puts them behind the protocol."""

from collections.abc import Awaitable, Callable
from datetime import datetime

import httpx

from activities.marketplaces.base import CommandContext
from activities.marketplaces.kaufland.carriers import Carriers
from activities.marketplaces.kaufland.client import KauflandHttp
from activities.marketplaces.kaufland.file_shelf import FileShelf
from activities.marketplaces.kaufland.invoices import KauflandInvoices
from activities.marketplaces.kaufland.labels import KauflandLabels
from activities.marketplaces.kaufland.offers import KauflandOffers, OutcomeCallback
from activities.marketplaces.kaufland.orders import KauflandOrders, Skip
from activities.marketplaces.kaufland.returns import KauflandReturns
from activities.marketplaces.kaufland.tickets import KauflandTickets
from domain.channels import Marketplace
from domain.config import KauflandChannelConfig
from domain.intake import OrderChange
from domain.labels import BoughtLabel, LabelRules
from domain.offers.export import OfferExport
from domain.offers.model import LiveOffer, OfferChange, OfferOutcome
from domain.order.aftersales import InvoiceFile, InvoiceReceipt, Ticket
from domain.order.commands import CommandResult, ShipmentResult
from domain.order.marketplace import Order, ReturnNotice
from domain.order.view import LineQuantity, Transport
from domain.reasons import CancellationReason, ReturnHandling


class KauflandAdapter:
    marketplace = Marketplace.KAUFLAND

    def __init__(self, channel: str, config: KauflandChannelConfig, transport: httpx.AsyncBaseTransport | None = None):
        self.channel = channel
        self.config = config
        self.http = KauflandHttp(config, transport=transport)
        self.carriers = Carriers(self.http)
        self.orders = KauflandOrders(self.http, self.carriers, config.storefront.value)
        self.labels = KauflandLabels(self.http, self.orders, config.label_package)
        self.returns = KauflandReturns(self.http, self.orders, config.storefront.value)
        self.tickets = KauflandTickets(self.http, self.orders, config.storefront.value)
        self.invoices = KauflandInvoices(channel, self.http, config.storefront.value)
        self.shelf = FileShelf(config.import_files_host, config.import_files_port, config.import_files_public_url)
        self.offers = KauflandOffers(
            self.http,
            config.storefront,
            self.shelf,
            bulk_threshold=config.import_file_threshold,
            import_poll=config.import_file_poll.total_seconds(),
        )

    async def aclose(self) -> None:
        await self.shelf.aclose()
        await self.http.aclose()

    async def check_credentials(self) -> None:
        # Signed like every call: a refused key pair is a 401 business error.
        await self.http.call("GET", "/order-units", params={"storefront": self.config.storefront.value, "limit": 1})

    # Orders (orders.py).

    async def changed_orders(
        self, since: datetime | None, now: datetime, skip: Skip | None = None
    ) -> list[OrderChange]:
        return await self.orders.changed_orders(since, now, skip)

    async def get_order(self, marketplace_order_id: str) -> Order:
        return await self.orders.get_order(self.channel, marketplace_order_id)

    async def open_returns(self, skip: Skip | None = None) -> list[ReturnNotice]:
        return await self.returns.open_returns(skip)

    async def ship(
        self,
        marketplace_order_id: str,
        lines: list[LineQuantity],
        shipped_before: dict[str, int],
        transport: Transport,
        reference: str | None,
        ctx: CommandContext,
    ) -> ShipmentResult:
        # Kaufland writes synchronously: no process to resume, every attempt re-reads the units.
        return await self.orders.ship(marketplace_order_id, lines, shipped_before, transport)

    async def buy_label(
        self,
        marketplace_order_id: str,
        lines: list[LineQuantity],
        rules: LabelRules,
        resume_process_id: str | None,
        on_accepted: Callable[[str], Awaitable[None]],
        heartbeat: Callable[[], None] | None = None,
    ) -> BoughtLabel | None:
        # Kaufland answers at once: no process to resume or follow.
        return await self.labels.buy(marketplace_order_id, lines, rules)

    async def void_label(self, label_id: str) -> str:
        # Seller API v2 can create a label, not cancel one.
        return f"Kaufland's API cannot cancel shipping label {label_id}: do not hand it over"

    async def change_transport(
        self, marketplace_order_id: str, line_ids: list[str], transport: Transport, ctx: CommandContext
    ) -> CommandResult:
        return await self.orders.add_tracking(marketplace_order_id, line_ids, transport)

    async def cancel_line(
        self, marketplace_order_id: str, line_id: str, reason: CancellationReason, ctx: CommandContext
    ) -> CommandResult:
        return await self.orders.cancel_line(marketplace_order_id, line_id, reason)

    async def handle_return(
        self,
        rma_id: str,
        return_id: str | None,
        handling: ReturnHandling,
        quantity: int,
        ctx: CommandContext,
        message: str | None = None,
    ) -> CommandResult:
        # rma_id is the return unit: one piece, so `quantity` is always 1.
        return await self.returns.handle(rma_id, handling, message, retry=ctx.check_pending)

    # After sales (tickets.py, invoices.py).

    async def upload_invoice(self, marketplace_order_id: str, invoice: InvoiceFile) -> InvoiceReceipt:
        return await self.invoices.upload(marketplace_order_id, invoice)

    async def open_tickets(
        self, marketplace_order_id: str | None = None, opened_before: datetime | None = None
    ) -> list[Ticket]:
        return await self.tickets.open_tickets(marketplace_order_id, opened_before)

    async def reply_ticket(self, ticket_id: str, text: str) -> None:
        await self.tickets.reply(ticket_id, text)

    # Offers (units, offers.py).

    async def push_offers(self, changes: list[OfferChange], on_outcome: OutcomeCallback) -> list[OfferOutcome]:
        return await self.offers.push(changes, on_outcome)

    async def live_offer(self, offer_id: str) -> LiveOffer:
        return await self.offers.get(offer_id)

    async def export_offers(self) -> OfferExport:
        return await self.offers.export()
