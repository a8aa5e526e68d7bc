"""What the order and intake activities need from any marketplace. Adapters
speak their wire format inside and domain types outside."""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol, runtime_checkable

from domain.channels import Marketplace
from domain.intake import OrderChange, UnreadableItem
from domain.labels import BoughtLabel, LabelRules
from domain.offers.export import OfferExport
from domain.offers.model import LiveOffer, OfferChange, OfferOutcome, ProcessEnd
from domain.order.aftersales import InvoiceFile, InvoiceReceipt, Ticket
from domain.order.commands import CommandResult, ShipmentResult
from domain.order.marketplace import Order, ReturnNotice
from domain.order.view import LineQuantity, Transport
from domain.reasons import CancellationReason, ReturnHandling


class MarketplaceAdapter(Protocol):
    channel: str
    marketplace: Marketplace

    async def changed_orders(
        self, since: datetime | None, now: datetime, skip: Callable[[UnreadableItem], None] | None = None
    ) -> list[OrderChange]:
        """Open orders changed since `since` (all open orders when None). An
        order that cannot be read goes to `skip` and the others are returned;
        without `skip`, it raises."""

    async def get_order(self, marketplace_order_id: str) -> Order: ...

    async def open_returns(self, skip: Callable[[UnreadableItem], None] | None = None) -> list[ReturnNotice]:
        """Unhandled returns; an unreadable one goes to `skip` like an order."""

    async def ship(
        self,
        marketplace_order_id: str,
        lines: list[LineQuantity],
        shipped_before: dict[str, int],
        transport: Transport,
        reference: str | None,
        ctx: "CommandContext",
    ) -> ShipmentResult:
        """Ship `lines`, at most once: `shipped_before` is what the caller
        knew was shipped per line before this command, so a retry after a
        lost response sees the earlier shipment and does not send again."""

    async def cancel_line(
        self, marketplace_order_id: str, line_id: str, reason: CancellationReason, ctx: "CommandContext"
    ) -> CommandResult: ...

    async def handle_return(
        self,
        rma_id: str,
        return_id: str | None,
        handling: ReturnHandling,
        quantity: int,
        ctx: "CommandContext",
        message: str | None = None,
    ) -> CommandResult:
        """`message` is what the buyer reads where the marketplace tells them
        (Kaufland's reject and clarify)."""

    async def upload_invoice(self, marketplace_order_id: str, invoice: InvoiceFile) -> InvoiceReceipt:
        """Hand the seller's invoice for the order to the marketplace."""

    async def open_tickets(
        self, marketplace_order_id: str | None = None, opened_before: datetime | None = None
    ) -> list[Ticket]:
        """Open buyer messages, of one order or (None) of every order; with
        `opened_before`, only tickets opened by then (intake's overdue check)."""

    async def reply_ticket(self, ticket_id: str, text: str) -> None: ...

    async def push_offers(
        self, changes: list[OfferChange], on_outcome: Callable[[OfferOutcome], Awaitable[None]]
    ) -> list[OfferOutcome]:
        """Send offer changes; one outcome per change, reported to `on_outcome`
        as soon as it is known. A refused offer never fails the others."""

    async def live_offer(self, offer_id: str) -> LiveOffer: ...

    async def export_offers(self) -> OfferExport: ...

    async def check_credentials(self) -> None:
        """Prove the credentials work with one harmless read: BusinessError
        when the marketplace refuses them, MarketplaceUnavailable when it
        cannot be asked right now."""

    async def aclose(self) -> None: ...


class CommandContext:
    """How an activity attempt wants a marketplace command run.

    `resume_process_id` is a process an earlier attempt started (from its
    heartbeat); `check_pending` asks the marketplace for commands still in
    flight for the same entity (set on retries). `on_accepted` records a new
    process id as soon as the marketplace accepted the command."""

    def __init__(
        self,
        *,
        resume_process_id: str | None = None,
        check_pending: bool = False,
        on_accepted: Callable[[str], None] | None = None,
        heartbeat: Callable[[], None] | None = None,
    ):
        self.resume_process_id = resume_process_id
        self.check_pending = check_pending
        self.on_accepted = on_accepted or (lambda _pid: None)
        self.heartbeat = heartbeat


@runtime_checkable
class LabelSeller(Protocol):
    """A marketplace that sells shipping labels (bol: "Verzenden via bol")."""

    async def buy_label(
        self,
        marketplace_order_id: str,
        lines: list[LineQuantity],
        rules: LabelRules,
        resume_process_id: str | None,
        on_accepted: Callable[[str], Awaitable[None]],
        heartbeat: Callable[[], None] | None = None,
    ) -> BoughtLabel | None:
        """The label for these lines, bought by `rules`, or the one the
        purchase `resume_process_id` (an earlier attempt's) made; None when
        nothing is left to ship (no label bought)."""
        ...

    async def void_label(self, label_id: str) -> str:
        """Cancel an unused label where the marketplace allows it; says what
        happened, for the order's timeline."""
        ...


@runtime_checkable
class TransportChanger(Protocol):
    """A marketplace that takes tracking added or corrected after shipping."""

    async def change_transport(
        self, marketplace_order_id: str, line_ids: list[str], transport: Transport, ctx: CommandContext
    ) -> CommandResult:
        """Give the shipment of these lines this tracking (and transporter,
        when `transport` names one), at most once."""
        ...


@runtime_checkable
class DeliveryTracker(Protocol):
    """A marketplace that passes on the carrier's delivery events."""

    async def delivered_at(self, marketplace_order_id: str) -> datetime | None:
        """When the order's last parcel was delivered; None while it is not
        (or the carrier data does not say)."""
        ...


@runtime_checkable
class OfferUpdateFollower(Protocol):
    """A marketplace that takes offer updates first and processes them later
    (bol): `push_offers` reports them with `pending_processes`."""

    async def offer_update_ends(self, process_ids: list[str]) -> dict[str, ProcessEnd]:
        """How these processes ended, waiting for the ones still running."""
        ...
