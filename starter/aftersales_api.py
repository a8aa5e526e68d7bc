"""An order's invoice and its buyer's messages, from the command line: read
and written through the channel's adapter (signed or authenticated as every
call), recorded in the store. The PDF never passes through Temporal (payload
limits, and it holds the buyer's address); the order workflow only hears that
its buyer's messages are answered."""

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from activities.channels import Channels, UnknownChannel
from activities.marketplaces.base import MarketplaceAdapter
from activities.store import Database, OrderLedger
from domain import names
from domain.errors import MarketplaceError
from domain.ids import parse_order_workflow_id
from domain.order.aftersales import INVOICE_MEDIA_TYPES, InvoiceFile, InvoiceReceipt, Ticket, TicketsOverdue
from starter.console import CommandError
from workers.settings import Settings, load_settings


class AfterSales(BaseModel):
    invoice: InvoiceReceipt | None = None
    tickets: list[Ticket] = Field(default_factory=list)
    # Why the tickets (or the invoice record) could not be read, if so.
    problems: list[str] = Field(default_factory=list)


@contextlib.asynccontextmanager
async def _adapter(settings: Settings, channel: str, channels: Channels | None) -> AsyncIterator[MarketplaceAdapter]:
    """The channel's adapter: from `channels` when given (kept open), else built for this call."""
    if channels is not None:
        try:
            yield channels[channel]
        except UnknownChannel as exc:
            raise CommandError(str(exc)) from exc
        return
    if channel not in settings.channels:
        raise CommandError(f"channel {channel!r} is not configured (ordertide.toml)")
    own = Channels.from_config({channel: settings.channels[channel]})
    try:
        yield own[channel]
    finally:
        await own.aclose()


def read_invoice(path: Path) -> InvoiceFile:
    """The file as an invoice, or a CommandError naming what is wrong."""
    media_type = INVOICE_MEDIA_TYPES.get(path.suffix.lower())
    if media_type is None:
        raise CommandError(f"{path}: an invoice must be a PDF file (.pdf)")
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror or exc}") from exc
    try:
        return InvoiceFile(filename=path.name, content=content, media_type=media_type)
    except ValidationError as exc:
        raise CommandError(f"{path}: {exc.errors()[0]['msg']}") from exc


async def upload_invoice(
    workflow_id: str, path: Path, settings: Settings | None = None, channels: Channels | None = None
) -> InvoiceReceipt:
    invoice = read_invoice(path)  # before any call: a wrong file costs nothing
    settings = settings or load_settings()
    channel, order_id = parse_order_workflow_id(workflow_id)
    async with _adapter(settings, channel, channels) as adapter:
        try:
            receipt = await adapter.upload_invoice(order_id, invoice)
        except MarketplaceError as exc:
            raise CommandError(f"{channel} did not take the invoice: {exc}") from exc
    db = Database(settings.store_url)
    try:
        db.create_schema()
        OrderLedger(db).record_invoice(receipt)
    finally:
        db.dispose()
    return receipt


async def after_sales(
    workflow_id: str, settings: Settings | None = None, channels: Channels | None = None
) -> AfterSales:
    """What `order show` adds to the workflow's view. Never fails: what
    cannot be read is named in `problems`."""
    found = AfterSales()
    try:
        settings = settings or load_settings()
        channel, order_id = parse_order_workflow_id(workflow_id)
        db = Database(settings.store_url)
        try:
            db.create_schema()
            found.invoice = OrderLedger(db).invoice(channel, order_id)
        finally:
            db.dispose()
        async with _adapter(settings, channel, channels) as adapter:
            found.tickets = await adapter.open_tickets(order_id)
    except (CommandError, MarketplaceError, ValueError, OSError) as exc:
        found.problems.append(str(exc))
    return found


async def reply(
    client: Client,
    workflow_id: str,
    text: str,
    ticket_id: str | None = None,
    settings: Settings | None = None,
    channels: Channels | None = None,
) -> list[str]:
    """Answer the buyer in the order's open tickets (or the one named);
    returns the ticket ids answered. The order stops needing attention for
    them at once; intake would notice at its next ticket check anyway."""
    settings = settings or load_settings()
    channel, order_id = parse_order_workflow_id(workflow_id)
    async with _adapter(settings, channel, channels) as adapter:
        try:
            tickets = await adapter.open_tickets(order_id)
            if ticket_id is not None:
                tickets = [t for t in tickets if t.ticket_id == ticket_id]
                if not tickets:
                    raise CommandError(f"order {order_id} has no open ticket {ticket_id}")
            if not tickets:
                raise CommandError(f"order {order_id} has no open ticket to answer")
            for ticket in tickets:
                await adapter.reply_ticket(ticket.ticket_id, text)
        except MarketplaceError as exc:
            raise CommandError(f"{channel} did not take the answer: {exc}") from exc
    handle = client.get_workflow_handle(workflow_id)
    try:
        await handle.signal(names.SIGNAL_TICKETS_OVERDUE, TicketsOverdue())
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise
    return [t.ticket_id for t in tickets]
