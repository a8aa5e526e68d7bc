"""`ordertide stock ...`.

Arguments arrive as text and are checked here, so a bad one is one line
naming it (Typer's own parsing would print a usage box, and `int` takes
digits such as `²`)."""

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO, TypeVar

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from starter.alerts_cmd import record_import
from starter.console import CommandError, err, out, run_async

if TYPE_CHECKING:
    from domain.stock import StockLevelView

T = TypeVar("T")

stock_app = typer.Typer(help="Set and adjust stock.", no_args_is_help=True)

Sku = Annotated[str | None, typer.Argument(help="the SKU, as in the catalog", show_default=False)]


def argument(name: str, value: str | None, parse: Callable[[str], T]) -> T:
    """The parsed argument, or one line naming it."""
    if value is None:
        raise CommandError(f"{name} is missing")
    try:
        return parse(value)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc


# Extra words and unknown options reach the command (not Typer's usage box),
# which names them in one line; "-2" stays a delta.
ONE_LINE_ERRORS = {"ignore_unknown_options": True, "allow_extra_args": True}


def nothing_else(ctx: typer.Context) -> None:
    if ctx.args:
        raise CommandError(f"unexpected argument {ctx.args[0]!r} (see --help)")


def sku_argument(value: str | None) -> str:
    from domain.stock import parse_sku

    return argument("SKU", value, lambda v: parse_sku(v, "SKU"))


def show(level: "StockLevelView") -> None:
    out.print(f"{level.sku}: on hand {level.on_hand}, reserved {level.reserved}, available {level.available}")


@stock_app.command("set", context_settings=ONE_LINE_ERRORS)
@run_async
async def set_(
    ctx: typer.Context,
    sku: Sku = None,
    on_hand: Annotated[str | None, typer.Argument(help="units on the shelf", show_default=False)] = None,
) -> None:
    """Set the stock on hand of one SKU."""
    from domain.stock import parse_quantity

    nothing_else(ctx)
    name = sku_argument(sku)
    units = argument("ON_HAND", on_hand, lambda v: parse_quantity(v, "ON_HAND"))
    # Once the arguments hold: a bad one is told before Temporal's client loads.
    from starter import stock_api
    from workers.settings import load_settings
    from workers.temporal_client import connect

    show(await stock_api.set_stock(await connect(), load_settings().task_queue, name, units))


@stock_app.command("adjust", context_settings=ONE_LINE_ERRORS)
@run_async
async def adjust(
    ctx: typer.Context,
    sku: Sku = None,
    delta: Annotated[str | None, typer.Argument(help="e.g. 5 or -2", show_default=False)] = None,
) -> None:
    """Add to (or take from) the stock on hand of one SKU."""
    from domain.stock import parse_quantity

    nothing_else(ctx)
    name = sku_argument(sku)
    change = argument("DELTA", delta, lambda v: parse_quantity(v, "DELTA", signed=True))
    if change == 0:
        raise CommandError("DELTA is 0: nothing to adjust")
    # Once the arguments hold: a bad one is told before Temporal's client loads.
    from starter import stock_api
    from workers.settings import load_settings
    from workers.temporal_client import connect

    show(await stock_api.adjust_stock(await connect(), load_settings().task_queue, name, change))


@stock_app.command("import", context_settings=ONE_LINE_ERRORS)
@run_async
async def import_(
    ctx: typer.Context,
    path: Annotated[
        str | None, typer.Argument(help="CSV file with the columns sku,on_hand", show_default=False)
    ] = None,
    all_or_nothing: Annotated[
        bool, typer.Option("--all-or-nothing", help="apply nothing if any row is bad (default: apply the good rows)")
    ] = False,
) -> None:
    """Set stock from a CSV file with columns sku,on_hand: every bad row is
    reported with its line, the good ones are applied together."""
    nothing_else(ctx)
    if not path:
        raise CommandError("PATH is missing")
    file = Path(path)
    if not await asyncio.to_thread(file.is_file):
        raise CommandError(f"PATH {path}: no such file")
    # Once the arguments hold: a bad one is told before Temporal's client loads.
    from domain.stock import RowRejected
    from starter import stock_api
    from workers.settings import load_settings
    from workers.temporal_client import connect

    client = await connect()
    task_queue = load_settings().task_queue

    def rejected(row: RowRejected) -> None:
        err.print(f"{path}:{row.line}: {row.message}", markup=False, highlight=False)

    try:
        with reading(file) as (handle, staged):
            try:
                summary = await stock_api.import_stock(
                    client,
                    task_queue,
                    stock_api.read_stock_csv(handle, path),
                    all_or_nothing=all_or_nothing,
                    rejected=rejected,
                    staged=staged,
                )
            except stock_api.BadStockFile as exc:
                raise CommandError(f"{exc}; nothing was applied") from exc
            except OSError as exc:
                raise CommandError(f"PATH {path}: {exc.strerror or exc}") from exc
        out.print(f"{summary.applied} of {summary.rows} rows applied")
        if summary.discarded:
            raise CommandError(f"{summary.rejected} row(s) rejected; with --all-or-nothing, nothing was applied")
        if summary.rejected:
            raise CommandError(f"{summary.rejected} row(s) rejected; the others were applied")
    except CommandError as exc:
        await asyncio.to_thread(record_import, "stock", file.name, str(exc))
        raise
    await asyncio.to_thread(record_import, "stock", file.name, None)


@contextlib.contextmanager
def reading(file: Path) -> Iterator[tuple[TextIO, Callable[[int], None]]]:
    """The open file, and what to call when a batch is staged: a progress
    bar on a terminal, a plain line per batch otherwise."""
    if err.is_terminal:
        columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
        with (
            Progress(*columns, console=err, transient=True) as progress,
            progress.open(
                file, "r", encoding="utf-8-sig", errors="replace", newline="", description=f"importing {file.name}"
            ) as handle,
        ):
            yield handle, lambda _line: None
        return
    with file.open("r", encoding="utf-8-sig", errors="replace", newline="") as handle:
        yield handle, lambda line: err.print(f"{file}: staged up to line {line}", markup=False, highlight=False)
