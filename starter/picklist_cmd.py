"""`ordertide picklist`: what to pick now, grouped by SKU, most urgent first."""

import csv
import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from starter import args
from starter.args import checked
from starter.catalog_cmd import store
from starter.console import CommandError, out

if TYPE_CHECKING:
    from activities.store import Database
    from domain.picklist import PickItem


class PicklistFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    PDF = "pdf"


def pick_items(db: "Database", channel: str | None) -> list["PickItem"]:
    from activities.store.picking import PickingStore
    from domain.picklist import picklist

    picking = PickingStore(db)
    lines = picking.open_lines(channel)
    return picklist(lines, picking.products({line.sku for line in lines}))


def picklist_command(
    channel: Annotated[
        str | None, typer.Option(help="only this channel's orders", callback=checked(args.channel))
    ] = None,
    layout: Annotated[PicklistFormat, typer.Option("--format", help="table, csv or pdf (A4)")] = PicklistFormat.TABLE,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file; a PDF goes to picklist.pdf by default")
    ] = None,
) -> None:
    """Open lines of accepted orders, grouped by SKU, oldest ship-by first."""
    from domain.catalog_file import spreadsheet_safe

    with store() as db:
        items = pick_items(db, channel)
    if layout is PicklistFormat.PDF:
        from starter.picklist_pdf import picklist_pdf

        target = output or Path("picklist.pdf")
        target.write_bytes(picklist_pdf(items, datetime.now().astimezone()))
        out.print(f"{target}: {len(items)} SKUs, {sum(i.quantity for i in items)} units", markup=False)
        return
    if layout is PicklistFormat.CSV:
        handle = output.open("w", newline="", encoding="utf-8") if output else sys.stdout
        try:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["ship_by", "sku", "ean", "title", "quantity", "orders"])
            for item in items:
                cells = [f"{item.ship_by:%Y-%m-%d}" if item.ship_by else "", item.sku, item.ean, item.title]
                writer.writerow([spreadsheet_safe(c) for c in cells] + [str(item.quantity), " ".join(item.orders)])
        finally:
            if output:
                handle.close()
        return
    if output:
        raise CommandError("--output goes with --format csv or pdf")
    if not items:
        out.print("nothing to pick")
        return
    table = Table("ship by", "SKU", "EAN", "title", "qty", "orders")
    for item in items:
        table.add_row(
            f"{item.ship_by:%Y-%m-%d}" if item.ship_by else "",
            item.sku,
            item.ean,
            item.title,
            str(item.quantity),
            ", ".join(item.orders),
        )
    out.print(table)
