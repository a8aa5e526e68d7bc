"""`ordertide catalog ...` (the whole catalog as a CSV file) and
`ordertide product ...` (one product)."""

import csv
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from domain.offers.condition import OfferCondition
from starter.console import CommandError, err, out, print_json, run_async

if TYPE_CHECKING:
    from activities.store import Database
    from activities.store.catalog import CatalogChanges

catalog_app = typer.Typer(help="Import and export the catalog as CSV.", no_args_is_help=True)
product_app = typer.Typer(help="Show and change one product.", no_args_is_help=True)

PLAIN_PROGRESS_EVERY = 10_000


@contextmanager
def store() -> Iterator["Database"]:
    # Imported when a command opens the store: the CLI starts in a fraction of the time without it.
    from activities.store import Database
    from workers.settings import load_settings

    db = Database(load_settings().store_url)
    try:
        db.create_schema()
        yield db
    finally:
        db.dispose()


def _count_rows(path: Path) -> int:
    """Newlines, read in blocks: the progress bar's total without holding the file."""
    count = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            count += block.count(b"\n")
    return max(0, count - 1)


@contextmanager
def progress_reporter(path: Path) -> Iterator[Callable[[int], None]]:
    """A bar on a terminal; a plain line every PLAIN_PROGRESS_EVERY rows in a log."""
    if err.is_terminal:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=err, transient=True) as bar:
            task = bar.add_task(path.name, total=_count_rows(path))
            yield lambda rows: bar.advance(task, rows)
        return
    done = [0]

    def plain(rows: int) -> None:
        before, done[0] = done[0], done[0] + rows
        if before // PLAIN_PROGRESS_EVERY != done[0] // PLAIN_PROGRESS_EVERY:
            err.print(f"{path}: {done[0]} rows read", markup=False, highlight=False)

    yield plain


def _report(source: str, changes: "CatalogChanges") -> None:
    for line, error in changes.errors:
        err.print(f"{source}:{line}: {error}", markup=False, highlight=False)
    out.print(
        f"{changes.rows - len(changes.errors)} of {changes.rows} rows applied: {changes.created} new, "
        f"{changes.updated} changed, {changes.unchanged} unchanged",
        markup=False,
        highlight=False,
    )


async def _after_change(db: "Database", changes: "CatalogChanges", cause: str) -> None:
    from starter import catalog_api

    lines = await catalog_api.after_catalog_change(db, changes, cause)
    for line in lines:
        out.print(line, markup=False, highlight=False)
    if changes.errors:
        raise CommandError(f"{len(changes.errors)} row(s) rejected; the others were applied")


@catalog_app.command("import")
@run_async
async def import_(
    path: Annotated[Path | None, typer.Argument(help="CSV file with the columns of `catalog template`")] = None,
    from_channel: Annotated[
        str | None, typer.Option(help="bootstrap from this channel's offer export instead of a file")
    ] = None,
) -> None:
    """Create and update products from a CSV file (or a channel's offers)."""
    from activities.store import AlertBook
    from activities.store.catalog import CatalogStore
    from domain.catalog_file import read_catalog
    from starter import channel_import

    if from_channel:
        if path is not None:
            raise CommandError("give a FILE or --from-channel, not both")
        with store() as db:
            changes, linked = await channel_import.import_from_channel(db, from_channel)
            _report(f"{from_channel} offer export", changes)
            out.print(f"{linked} offers linked to their products", markup=False, highlight=False)
            await _after_change(db, changes, f"added by catalog import --from-channel {from_channel}")
        return
    if path is None:
        raise CommandError("give a CSV FILE (see `ordertide catalog template`) or --from-channel CHANNEL")
    if not path.is_file():
        raise CommandError(f"no such file: {path}")
    with store() as db:
        imports = AlertBook(db)  # a failed file raises an alert; its next good import resolves it
        with path.open(newline="", encoding="utf-8-sig") as handle, progress_reporter(path) as progress:
            try:
                changes = CatalogStore(db).apply(read_catalog(handle), progress)
            except (ValueError, UnicodeDecodeError, csv.Error) as exc:
                imports.import_failed("catalog", path.name, uuid.uuid4().hex, str(exc))
                raise CommandError(f"{path}: {exc}") from exc
        _report(str(path), changes)
        if changes.errors:
            imports.import_failed("catalog", path.name, uuid.uuid4().hex, f"{len(changes.errors)} row(s) rejected")
        else:
            imports.import_succeeded("catalog", path.name)
        await _after_change(db, changes, f"added by catalog import {path.name}")


@catalog_app.command("template")
def template(output: Annotated[Path | None, typer.Option("--output", "-o")] = None) -> None:
    """Print (or write) an empty catalog file: the header row."""
    from domain.catalog_file import COLUMNS

    header = ",".join(COLUMNS) + "\n"
    if output is None:
        sys.stdout.write(header)
    else:
        output.write_text(header, encoding="utf-8")


@catalog_app.command("export")
@run_async
async def export(output: Annotated[Path | None, typer.Option("--output", "-o")] = None) -> None:
    """Write the catalog in the import layout (to stdout unless --output)."""
    from activities.store.catalog import CatalogStore
    from domain.catalog_file import COLUMNS, export_row

    with store() as db:
        handle = output.open("w", newline="", encoding="utf-8") if output else sys.stdout
        try:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COLUMNS)
            for values in CatalogStore(db).rows():
                writer.writerow(export_row(values))
        finally:
            if output:
                handle.close()


@product_app.command("show")
@run_async
async def show(sku: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """One product with its stock."""
    from activities.store.catalog import CatalogStore

    with store() as db:
        values = CatalogStore(db).row(sku)
    if values is None:
        raise CommandError(f"unknown SKU {sku!r}")
    if as_json:
        print_json(values)
        return
    for name, value in values.items():
        out.print(f"{name:>10}: {'' if value is None else value}", markup=False, highlight=False)


@product_app.command("set")
@run_async
async def set_(
    sku: str,
    ean: Annotated[str | None, typer.Option(help="EAN-8/13 or UPC-A/GTIN-14, check digit included")] = None,
    title: str | None = None,
    brand: str | None = None,
    category: str | None = None,
    condition: Annotated[str | None, typer.Option(help=", ".join(OfferCondition))] = None,
    cost_price: Annotated[str | None, typer.Option(help="12.95 or 12,95; empty clears it")] = None,
    list_price: Annotated[str | None, typer.Option(help="12.95 or 12,95; empty clears it")] = None,
    on_hand: int | None = None,
) -> None:
    """Change one product (or create it, with --ean); checked like an imported row."""
    from activities.store.catalog import CatalogStore
    from domain.catalog_file import CatalogLine, FieldError, ProductPatch, parse_cells

    given: dict[str, Any] = {
        "ean": ean,
        "title": title,
        "brand": brand,
        "category": category,
        "condition": condition,
        "cost_price": cost_price,
        "list_price": list_price,
        "on_hand": None if on_hand is None else str(on_hand),
    }
    cells = {"sku": sku, **{name: value for name, value in given.items() if value is not None}}
    if len(cells) == 1:
        raise CommandError("nothing to change: give at least one --field (see --help)")
    try:
        patch: ProductPatch = parse_cells(cells)
    except FieldError as exc:
        raise CommandError(f"--{exc.field.replace('_', '-')}: {str(exc).split(': ', 1)[1]}") from exc
    with store() as db:
        changes = CatalogStore(db).apply([CatalogLine(0, patch)])
        if changes.errors:
            raise CommandError(changes.errors[0][1].replace("ean:", "--ean:", 1))
        values = CatalogStore(db).row(sku) or {}
        shown = {k: v for k, v in values.items() if k in cells or k == "on_hand"}
        out.print(f"{sku}: " + ", ".join(f"{k}={_plain(v)}" for k, v in shown.items() if k != "sku"), markup=False)
        await _after_change(db, changes, f"added by product set {sku}")


def _plain(value: object) -> str:
    return "" if value is None else str(value) if not isinstance(value, Decimal) else f"{value:.2f}"
