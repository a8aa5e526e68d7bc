"""`ordertide orders ...` and `ordertide order ...`."""

from typing import Annotated

import typer
from pydantic import BaseModel
from rich.table import Table

from domain import names
from domain.order.messages import (
    CancelRequest,
    ConfirmRequest,
    PickRequest,
    ResumeRequest,
    ReturnReceivedRequest,
    ShipRequest,
)
from domain.order.status import ManualStep
from domain.order.view import LineQuantity, OrderView
from domain.reasons import CancellationReason, WaitingReason
from starter import args, orders_api
from starter.args import checked
from starter.console import out, print_json, run_async
from workers.temporal_client import connect

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

    client = await connect()
    db = Database(load_settings().store_url)
    try:
        db.create_schema()
        outcome = await resume_waiting(client, reason, InventoryStore(db), f"orders resume --reason {reason}")
    finally:
        db.dispose()
    for line in outcome.lines():
        out.print(line, markup=False, highlight=False)
    out.print(f"{len(outcome.resumed)} order(s) resumed, {len(outcome.still_waiting)} still waiting", markup=False)


@order_app.command("show")
@run_async
async def show(order_id: OrderId, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    client = await connect()
    view = await orders_api.show_order(client, orders_api.resolve_order_id(order_id))
    if as_json:
        print_json(view)
        return
    _print_view(view)


def _print_view(view: OrderView) -> None:
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


async def _update(order_id: str, update: str, request: BaseModel) -> None:
    client = await connect()
    message = await orders_api.update_order(client, orders_api.resolve_order_id(order_id), update, request)
    out.print(message, markup=False)


def _line_quantities(lines: list[str]) -> list[LineQuantity]:
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
    await _update(order_id, names.UPDATE_SHIP, ShipRequest(transporter_code=transporter, track_and_trace=tracking))


@order_app.command("cancel")
@run_async
async def cancel(
    order_id: OrderId,
    line: Annotated[
        list[str], typer.Option(help="line id; all open lines when omitted", callback=checked(args.codes))
    ] = [],  # noqa: B006  # typer's declared default; the command never mutates it
    reason: CancellationReason = CancellationReason.OTHER,
) -> None:
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
) -> None:
    request = ReturnReceivedRequest(
        rma_id=rma, line_id=line, quantity=quantity, meets_conditions=not rejected, resellable=not not_resellable
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
    await _update(order_id, names.UPDATE_CONFIRM, ConfirmRequest(step=step.value, note=note))


@order_app.command("resume")
@run_async
async def resume(
    order_id: OrderId, note: Annotated[str | None, typer.Option(callback=checked(args.text))] = None
) -> None:
    await _update(order_id, names.UPDATE_RESUME, ResumeRequest(note=note))
