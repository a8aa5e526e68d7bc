"""`ordertide alerts`: the open alerts, as the last evaluation left them."""

import uuid
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from starter.console import out, print_json

if TYPE_CHECKING:
    from domain.alerts.model import OpenAlert


def open_alerts() -> list["OpenAlert"]:
    """From the store, so the list answers without a worker (it is as fresh
    as the last evaluation, every `alerts.every`)."""
    from activities.store import AlertBook, Database
    from workers.settings import load_settings

    db = Database(load_settings().store_url)
    try:
        db.create_schema()
        return AlertBook(db).open_alerts()
    finally:
        db.dispose()


def record_import(kind: str, name: str, error: str | None) -> None:
    """A failed import raises an alert at the next evaluation; the next
    good import of the same file resolves it."""
    from activities.store import AlertBook, Database
    from workers.settings import load_settings

    db = Database(load_settings().store_url)
    try:
        db.create_schema()
        book = AlertBook(db)
        if error is None:
            book.import_succeeded(kind, name)
        else:
            book.import_failed(kind, name, uuid.uuid4().hex, error)
    finally:
        db.dispose()


def alerts(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Open alerts: what is wrong, since when, and how bad."""
    found = open_alerts()
    if as_json:
        print_json([a.model_dump(mode="json") for a in found])
        return
    if not found:
        out.print("no open alerts")
        return
    table = Table("severity", "alert", "about", "since", "what")
    for alert in found:
        table.add_row(
            alert.severity.upper(), alert.kind, alert.subject, f"{alert.raised_at:%Y-%m-%d %H:%M}", alert.message
        )
    out.print(table)
