"""Inventory-command import files: downloaded from the URL the seller gives,
checked line by line, applied line by line. A bad line costs that line
only: it is counted in `error_count` and named, with its number and field,
in the file's `note`; every good line is applied.

Kaufland documents the line layout by example
(`UPSERT;5060004769643;100;4999;EUR;;4390218756;1235;67;;;;3425;2`):
command, EAN, condition code, price in cents, currency, minimum price,
id_offer, warehouse, amount, three optional fields, shipping group,
handling time; `DELETE;ean[;id_offer]`."""

import asyncio
import contextlib
import csv
import itertools
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import httpx

from sandbox.kaufland.units import CURRENCY, Refused, UnitBook

UPSERT_FIELDS = 14
# How many line errors the note spells out; the rest are counted.
NOTED_ERRORS = 1_000


class ImportStatus(StrEnum):
    NEW = "NEW"
    DOWNLOADING = "DOWNLOADING"
    DOWNLOADED = "DOWNLOADED"
    DOWNLOADING_FAILED = "DOWNLOADING_FAILED"
    CHECKING = "CHECKING"
    CHECKED = "CHECKED"
    CHECKING_FAILED = "CHECKING_FAILED"
    IMPORTING = "IMPORTING"
    IMPORTED = "IMPORTED"


@dataclass
class ImportFile:
    id_import_file: int
    storefront: str
    uri: str
    created: datetime
    status: ImportStatus = ImportStatus.NEW
    total_lines: int = 0
    current_line: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    note: str = ""
    updated: datetime | None = None
    completed: datetime | None = None

    def move(self, status: ImportStatus, note: str | None = None) -> None:
        self.status = status
        self.updated = datetime.now(UTC)
        if note is not None:
            self.note = note
        if status in (ImportStatus.IMPORTED, ImportStatus.DOWNLOADING_FAILED, ImportStatus.CHECKING_FAILED):
            self.completed = self.updated


def apply_file(book: UnitBook, upload: ImportFile, text: str) -> None:
    """Checks and applies every line of `text`, recording per-line errors on `upload`."""
    lines = text.splitlines()
    upload.total_lines = len(lines)
    upload.move(ImportStatus.IMPORTING)
    for number, row in enumerate(csv.reader(lines, delimiter=";"), start=1):
        upload.current_line = number
        try:
            _apply_line(book, upload.storefront, row)
        except Refused as exc:
            fields = "; ".join(f"{name}: {message}" for name, message in exc.errors) or str(exc)
            upload.errors.append((number, fields))
        except LineError as exc:
            upload.errors.append((number, str(exc)))
    described = [f"line {n}: {why}" for n, why in upload.errors[:NOTED_ERRORS]]
    if len(upload.errors) > NOTED_ERRORS:
        described.append(f"and {len(upload.errors) - NOTED_ERRORS} more")
    upload.move(ImportStatus.IMPORTED, "\n".join(described))


class LineError(ValueError):
    pass


def _apply_line(book: UnitBook, storefront: str, row: list[str]) -> None:
    if not row:
        raise LineError("empty line")
    command = row[0].strip().upper()
    if command == "DELETE":
        if len(row) < 2:
            raise LineError("ean: missing")
        ean, id_offer = row[1].strip(), (row[2].strip() if len(row) > 2 else None)
        units = [u for u in book.listed(storefront, ean=ean) if id_offer in (None, "", u.id_offer)]
        for unit in units:
            book.delete(unit.id_unit, storefront)
        return
    if command != "UPSERT":
        raise LineError(f"command: {row[0]!r} is not UPSERT or DELETE")
    if len(row) != UPSERT_FIELDS:
        raise LineError(f"an UPSERT line has {UPSERT_FIELDS} fields, this one {len(row)}")
    ean, condition, price, currency, _minimum, id_offer, _warehouse, amount = (v.strip() for v in row[1:9])
    handling = row[13].strip()
    expected = CURRENCY.get(storefront, "EUR")
    if currency != expected:
        raise LineError(f"currency: the {storefront} storefront sells in {expected}, not {currency!r}")
    if not id_offer:
        raise LineError("id_offer: missing")
    book.upsert(
        storefront,
        id_offer=id_offer,
        ean=ean,
        condition=condition or "100",
        listing_price=_number("price", price, minimum=1),
        amount=_number("amount", amount, minimum=0),
        handling_time=_number("handling_time", handling, minimum=0, maximum=100),
    )


def _number(name: str, value: str, minimum: int, maximum: int | None = None) -> int:
    if not value.isdigit():
        raise LineError(f"{name}: {value!r} is not a whole number")
    number = int(value)
    if number < minimum or (maximum is not None and number > maximum):
        limits = f"at least {minimum}" + (f" and at most {maximum}" if maximum is not None else "")
        raise LineError(f"{name}: must be {limits}")
    return number


def import_file_wire(upload: ImportFile) -> dict[str, Any]:
    """The file as the spec's ImportFileInventoryCommand."""
    return {
        "storefront": upload.storefront,
        "current_line": upload.current_line,
        "error_count": len(upload.errors),
        "id_import_file": upload.id_import_file,
        "note": upload.note,
        "status": upload.status.value,
        "total_lines": upload.total_lines,
        # The spec requires every time; a moment not reached yet reads as the creation's.
        "ts_completed_iso": _iso(upload.completed or upload.created),
        "ts_created_iso": _iso(upload.created),
        "ts_last_row_updated_iso": _iso(upload.updated or upload.created),
        "ts_updated_iso": _iso(upload.updated or upload.created),
        "type": "INVENTORY_COMMAND",
        "uri": upload.uri,
    }


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ImportQueue:
    """Import files as Kaufland runs them: registered (201, NEW), then
    downloaded from the seller's URL and processed in the background while
    the seller polls. A URL that cannot be downloaded ends DOWNLOADING_FAILED."""

    def __init__(
        self,
        book: UnitBook,
        lock: AbstractContextManager[Any] | None = None,
        fetch: httpx.AsyncBaseTransport | None = None,
        step_seconds: float = 0.05,
    ):
        self.book = book
        # The sandbox's lock: the file is applied while nothing else reads the units.
        self.lock = lock or contextlib.nullcontext()
        self.fetch = fetch
        self.step_seconds = step_seconds
        self.files: dict[int, ImportFile] = {}
        self._ids = itertools.count(1)
        self._running: set[asyncio.Task[None]] = set()

    def register(self, storefront: str, url: str) -> ImportFile:
        upload = ImportFile(id_import_file=next(self._ids), storefront=storefront, uri=url, created=datetime.now(UTC))
        self.files[upload.id_import_file] = upload
        task = asyncio.create_task(self._run(upload), name=f"kaufland-import-{upload.id_import_file}")
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return upload

    def get(self, id_import_file: int, storefront: str) -> ImportFile | None:
        upload = self.files.get(id_import_file)
        return upload if upload is not None and upload.storefront == storefront else None

    async def _run(self, upload: ImportFile) -> None:
        await asyncio.sleep(self.step_seconds)
        upload.move(ImportStatus.DOWNLOADING)
        try:
            async with httpx.AsyncClient(transport=self.fetch, timeout=30) as http:
                response = await http.get(upload.uri)
            response.raise_for_status()
            text = response.content.decode("utf-8")
        except (httpx.HTTPError, UnicodeDecodeError) as exc:
            upload.move(ImportStatus.DOWNLOADING_FAILED, f"the file could not be downloaded from {upload.uri}: {exc}")
            return
        upload.move(ImportStatus.DOWNLOADED)
        await asyncio.sleep(self.step_seconds)
        upload.move(ImportStatus.CHECKING)
        await asyncio.sleep(self.step_seconds)
        upload.move(ImportStatus.CHECKED)
        with self.lock:
            apply_file(self.book, upload, text)
