"""`ordertide orders ...` and `ordertide order ...`."""

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.prompt import Prompt
from rich.table import Table

from domain.ids import parse_order_workflow_id
from domain.order.status import ManualStep
from domain.reasons import CancellationReason, ReturnHandling, WaitingReason
from domain.search_terms import resolve_order_id
from starter import args
from starter.args import checked
from starter.console import CommandError, err, out, print_json, run_async

if TYPE_CHECKING:
    from pydantic import BaseModel

    from domain.order.view import LineQuantity, OrderView
    from starter.aftersales_api import AfterSales

# Each command imports the engine it steers when it runs (the messages, the
# store, Temporal's client): `--help` and a mistyped argument answer at once.

orders_app = typer.Typer(help="List orders.", no_args_is_help=True)
order_app = typer.Typer(help="Inspect and steer one order.", no_args_is_help=True)

OrderId = Annotated[str, typer.Argument(help="order:bol:123, bol:123 or 123 (bol)", callback=checked(args.order_id))]
Code = Annotated[str | None, typer.Option(callback=checked(args.code))]


@orders_app.command("list")
@run_async
async def list_orders(
    status: Annotated[
        str | None, typer.Option(help="e.g. AWAITING_PICK, SHIPPED", callback=checked(args.order_status))
    ] = None,
    channel: Annotated[str | None, typer.Option(help="e.g. bol", callback=checked(args.channel))] = None,
    needs_attention: Annotated[bool, typer.Option("--needs-attention", help="only orders that need attention")] = False,
    limit: Annotated[int, typer.Option(help="at most this many", callback=checked(args.positive))] = 200,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Orders by status, channel or attention (newest first)."""
    from starter import orders_api
    from workers.temporal_client import connect

    client = await connect()
    orders = await orders_api.list_orders(client, orders_api.list_query(status, channel, needs_attention), limit)
    if as_json:
        print_json([o.model_dump(mode="json") for o in orders])
        return
    table = Table("order", "channel", "status", "attention", "ship by", "started")
    for o in orders:
        table.add_row(
            o.marketplace_order_id,
            o.channel,
            o.status,
            "⚠" if o.needs_attention else "",
            f"{o.ship_by:%Y-%m-%d}" if o.ship_by else "",
            f"{o.started_at:%Y-%m-%d %H:%M}" if o.started_at else "",
        )
    out.print(table)


@orders_app.command("resume")
@run_async
async def resume_all(reason: Annotated[WaitingReason, typer.Option(help="what the orders wait for")]) -> None:
    """Resume every order waiting for REASON that can go on now."""
    from activities.store import Database, InventoryStore
    from starter.resume_api import resume_waiting
    from workers.settings import load_settings
    from workers.temporal_client import connect

    client = await connect()
    db = Database(load_settings().store_url)
    try:
        db.create_schema()
        outcome = await resume_waiting(client, reason, InventoryStore(db), f"orders resume --reason {reason}")
    finally:
        db.dispose()
    for line in outcome.lines():
        out.print(line, markup=False, highlight=False)
    summary = f"{len(outcome.resumed)} order(s) resumed, {len(outcome.still_waiting)} still waiting"
    if outcome.unanswered:
        summary += f", {len(outcome.unanswered)} did not answer"
    out.print(summary, markup=False)


@order_app.command("show")
@run_async
async def show(order_id: OrderId, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    from starter import aftersales_api, orders_api
    from workers.temporal_client import connect

    client = await connect()
    workflow_id = resolve_order_id(order_id)
    view = await orders_api.show_order(client, workflow_id)
    if as_json:
        print_json(view)
        return
    _print_view(view)
    _print_after_sales(await aftersales_api.after_sales(workflow_id))


def _print_after_sales(found: "AfterSales") -> None:
    if found.invoice:
        out.print(f"invoice: on file ({found.invoice.filename}, sent {found.invoice.uploaded_at:%Y-%m-%d %H:%M})")
    else:
        out.print("invoice: none on file (`ordertide order invoice ID FILE.pdf`)")
    for ticket in found.tickets:
        since = ticket.waiting_since
        state = f"waiting for your answer since {since:%Y-%m-%d %H:%M}" if since else "answered"
        out.print(
            f"ticket {ticket.ticket_id} ({ticket.reason}, opened {ticket.opened_at:%Y-%m-%d %H:%M}): {state}",
            markup=False,
        )
        if ticket.messages:
            last = max(ticket.messages, key=lambda m: m.at)
            out.print(f"  {'buyer' if last.from_buyer else 'you'}: {last.text[:200]}", markup=False, highlight=False)
    for problem in found.problems:
        out.print(f"(after sales not read: {problem})", markup=False)


def _print_view(view: "OrderView") -> None:
    out.print(
        f"[bold]{view.workflow_id}[/] {view.status}" + (" [red]NEEDS ATTENTION[/]" if view.needs_attention else "")
    )
    out.print(f"waiting for: {view.waiting_for}")
    for step, reason in view.attention.items():
        out.print(f"[red]⚠ {step}[/]: {reason}")
    table = Table("line", "ean", "sku", "qty", "picked", "shipped", "cancelled", "returned", "price")
    for line in view.lines:
        table.add_row(
            line.line_id,
            line.ean,
            line.sku or "?",
            str(line.quantity),
            str(line.quantity_picked),
            str(line.quantity_shipped),
            str(line.quantity_cancelled),
            str(line.quantity_returned),
            str(line.unit_price),
        )
    out.print(table)
    for entry in view.history:
        out.print(f"  {entry}", markup=False)


async def _update(order_id: str, update: str, request: "BaseModel") -> None:
    from starter import orders_api
    from workers.temporal_client import connect

    client = await connect()
    message = await orders_api.update_order(client, resolve_order_id(order_id), update, request)
    out.print(message, markup=False)


def _line_quantities(lines: list[str]) -> list["LineQuantity"]:
    from domain.order.view import LineQuantity

    # Checked while parsing (args.picked_lines): every spec is LINE:QUANTITY.
    parsed = []
    for spec in lines:
        line_id, _, quantity = spec.partition(":")
        parsed.append(LineQuantity(line_id=line_id, quantity=int(quantity)))
    return parsed


@order_app.command("pick")
@run_async
async def pick(
    order_id: OrderId,
    line: Annotated[
        list[str],
        typer.Option(help="LINE:QUANTITY; all open lines when omitted", callback=checked(args.picked_lines)),
    ] = [],  # noqa: B006  # typer's declared default; the command never mutates it
    tracking: Annotated[
        str | None, typer.Option(help="track & trace code of the parcel", callback=checked(args.code))
    ] = None,
    weight: Annotated[int | None, typer.Option(help="parcel weight in grams", callback=checked(args.positive))] = None,
) -> None:
    from domain import names
    from domain.order.messages import PickRequest

    lines = _line_quantities(line)
    await _update(order_id, names.UPDATE_PICK, PickRequest(lines=lines, track_and_trace=tracking, weight_grams=weight))


@order_app.command("ship")
@run_async
async def ship(
    order_id: OrderId,
    transporter: Annotated[
        str | None, typer.Option(help="marketplace transporter code, e.g. TNT", callback=checked(args.code))
    ] = None,
    tracking: Code = None,
) -> None:
    from domain import names
    from domain.order.messages import ShipRequest

    await _update(order_id, names.UPDATE_SHIP, ShipRequest(transporter_code=transporter, track_and_trace=tracking))


@order_app.command("tracking")
@run_async
async def tracking(
    order_id: OrderId,
    code: Annotated[str, typer.Argument(help="the parcel's track & trace code", callback=checked(args.code))],
    transporter: Annotated[
        str | None, typer.Option(help="another transporter than the one shipped with", callback=checked(args.code))
    ] = None,
    line: Annotated[
        str | None, typer.Option(help="the parcel of this line; the newest when omitted", callback=checked(args.code))
    ] = None,
) -> None:
    """Add or correct a shipped parcel's tracking, where the marketplace takes
    it (bol: the transport is changed; Kaufland: the tracking is added)."""
    from domain import names
    from domain.order.messages import TrackingRequest

    request = TrackingRequest(track_and_trace=code, transporter_code=transporter, line_id=line)
    await _update(order_id, names.UPDATE_TRACKING, request)


@order_app.command("cancel")
@run_async
async def cancel(
    order_id: OrderId,
    line: Annotated[
        list[str], typer.Option(help="line id; all open lines when omitted", callback=checked(args.codes))
    ] = [],  # noqa: B006  # typer's declared default; the command never mutates it
    reason: Annotated[
        CancellationReason | None, typer.Option(help="why; asked for when omitted (required with --yes)")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="do not ask: for scripts")] = False,
) -> None:
    """Cancel lines. A reason the marketplace counts against the seller is
    named first, with the seller-fault cancellation rate it leads to."""
    from domain import names
    from domain.order.messages import CancelRequest
    from starter.health import cancellation_outlook
    from workers.settings import load_settings

    workflow_id = resolve_order_id(order_id)
    if reason is None:
        if yes:
            raise CommandError("--reason: required with --yes (one of " + ", ".join(CancellationReason) + ")")
        reason = CancellationReason(Prompt.ask("Reason", choices=list(CancellationReason), console=out))
    if reason.is_seller_fault:
        channel, marketplace_order_id = parse_order_workflow_id(workflow_id)
        outlook = await asyncio.to_thread(cancellation_outlook, load_settings(), channel, marketplace_order_id)
        out.print(outlook.describe(reason), markup=False)
        if not yes and not typer.confirm("Cancel anyway?", default=False):
            raise typer.Exit(1)
    await _update(order_id, names.UPDATE_CANCEL, CancelRequest(line_ids=line, reason=reason))


@order_app.command("return")
@run_async
async def return_received(
    order_id: OrderId,
    rma: Code = None,
    line: Code = None,
    quantity: Annotated[
        int | None, typer.Option(help="pieces received; the whole return when omitted", callback=checked(args.positive))
    ] = None,
    rejected: Annotated[bool, typer.Option("--rejected", help="the return does not meet the conditions")] = False,
    not_resellable: Annotated[bool, typer.Option("--not-resellable", help="do not put it back in stock")] = False,
    handling: Annotated[
        ReturnHandling | None,
        typer.Option(help="another handling the marketplace offers, e.g. REPAIR_PRODUCT or CLARIFY (Kaufland)"),
    ] = None,
    message: Annotated[
        str | None,
        typer.Option(help="what the buyer reads with a rejection or a question", callback=checked(args.text)),
    ] = None,
) -> None:
    from domain import names
    from domain.order.messages import ReturnReceivedRequest

    request = ReturnReceivedRequest(
        rma_id=rma,
        line_id=line,
        quantity=quantity,
        meets_conditions=not rejected,
        resellable=not not_resellable,
        handling=handling,
        message=message,
    )
    await _update(order_id, names.UPDATE_RETURN_RECEIVED, request)


@order_app.command("confirm")
@run_async
async def confirm(
    order_id: OrderId,
    step: Annotated[ManualStep, typer.Option(help="the manual step done by hand")],
    note: Annotated[str | None, typer.Option(callback=checked(args.text))] = None,
) -> None:
    """Say a manual step is done (e.g. the order cancelled in the supplier portal by hand)."""
    from domain import names
    from domain.order.messages import ConfirmRequest

    await _update(order_id, names.UPDATE_CONFIRM, ConfirmRequest(step=step.value, note=note))


@order_app.command("resume")
@run_async
async def resume(
    order_id: OrderId, note: Annotated[str | None, typer.Option(callback=checked(args.text))] = None
) -> None:
    from domain import names
    from domain.order.messages import ResumeRequest

    await _update(order_id, names.UPDATE_RESUME, ResumeRequest(note=note))


@order_app.command("invoice")
@run_async
async def invoice(
    order_id: OrderId,
    file: Annotated[Path, typer.Argument(help="the seller's invoice for the order, a PDF")],
) -> None:
    """Upload the seller's invoice for the order to its marketplace."""
    from starter import aftersales_api

    receipt = await aftersales_api.upload_invoice(resolve_order_id(order_id), file)
    where = f" (shipment(s) {', '.join(receipt.references)})" if receipt.references else ""
    out.print(f"invoice {receipt.filename} sent to {receipt.channel}{where}", markup=False)


@order_app.command("label")
@run_async
async def label(order_id: OrderId) -> None:
    """Write the order's shipping label (a PDF bought from the marketplace) to
    standard output: `ordertide order label ID > label.pdf`."""
    from starter import labels_api

    if sys.stdout.isatty():
        raise CommandError("the label is a PDF: redirect it to a file, e.g. `> label.pdf`")
    row = labels_api.label(resolve_order_id(order_id))
    sys.stdout.buffer.write(row.pdf or b"")
    sys.stdout.flush()
    err.print(f"label {row.label_id}: {row.transporter_code}, tracking {row.track_and_trace}", markup=False)


@order_app.command("reply")
@run_async
async def reply(
    order_id: OrderId,
    text: Annotated[str, typer.Argument(help="the answer the buyer reads", callback=checked(args.text))],
    ticket: Annotated[
        str | None, typer.Option(help="only this ticket; all open ones when omitted", callback=checked(args.code))
    ] = None,
) -> None:
    """Answer the buyer's open message(s) on the order."""
    from starter import aftersales_api
    from workers.temporal_client import connect

    client = await connect()
    answered = await aftersales_api.reply(client, resolve_order_id(order_id), text, ticket)
    out.print(f"answered ticket(s) {', '.join(answered)}", markup=False)
