"""`ordertide stock ...`."""

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from starter import stock_api
from starter.console import CommandError, err, out, run_async
from workers.settings import load_settings
from workers.temporal_client import connect

stock_app = typer.Typer(help="Set and adjust stock.", no_args_is_help=True)


@stock_app.command("set", context_settings={"ignore_unknown_options": True})
@run_async
async def set_(sku: str, on_hand: int) -> None:
    """Set the stock on hand of one SKU."""
    if on_hand < 0:
        raise CommandError(f"on_hand must not be negative (got {on_hand})")
    level = await stock_api.set_stock(await connect(), load_settings().task_queue, sku, on_hand)
    out.print(f"{level.sku}: on hand {level.on_hand}, reserved {level.reserved}, available {level.available}")


# "-2" is a delta, not an option.
@stock_app.command("adjust", context_settings={"ignore_unknown_options": True})
@run_async
async def adjust(sku: str, delta: Annotated[int, typer.Argument(help="e.g. 5 or -2")]) -> None:
    """Add to (or take from) the stock on hand of one SKU."""
    level = await stock_api.adjust_stock(await connect(), load_settings().task_queue, sku, delta)
    out.print(f"{level.sku}: on hand {level.on_hand}, reserved {level.reserved}, available {level.available}")


@stock_app.command("import")
@run_async
async def import_(path: Path) -> None:
    """Set stock from a CSV file with columns sku,on_hand."""
    if not await asyncio.to_thread(path.exists):
        raise CommandError(f"no such file: {path}")
    try:
        rows = await stock_api.import_stock(await connect(), load_settings().task_queue, path)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    bad = [row for row in rows if row.error]
    for row in bad:
        err.print(f"{path}:{row.line}: {row.error}", markup=False, highlight=False)
    out.print(f"{len(rows) - len(bad)} of {len(rows)} rows applied")
    if bad:
        raise CommandError(f"{len(bad)} row(s) rejected; the others were applied")
