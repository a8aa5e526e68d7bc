"""Invoices sellers upload per shipment (POST /retailer/shipments/invoices/
{shipment-id}, multipart/form-data with one `invoice` file part)."""

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from python_multipart import parse_form
from python_multipart.exceptions import FormParserError

from sandbox.bol.problems import INVALID, ProblemError, bad_request
from sandbox.bol.wire import Violation

MULTIPART = "multipart/form-data"
# bol's seller pages: PDF invoices up to 5 MB.
MAX_BYTES = 5 * 1024 * 1024


@dataclass
class UploadedInvoice:
    shipment_id: str
    filename: str
    size: int
    at: datetime


def invoice_part(content_type: str, raw: bytes) -> tuple[str, bytes]:
    """The uploaded file's name and bytes, or the problem bol answers."""
    if content_type.split(";")[0].strip().lower() != MULTIPART:
        media = content_type.split(";")[0].strip() or "(none)"
        raise ProblemError(415, "Unsupported Media Type", f"Content type '{media}' is not supported. Use {MULTIPART}.")
    files: dict[str, tuple[str, bytes]] = {}

    def on_file(part: Any) -> None:
        part.file_object.seek(0)
        files[part.field_name.decode()] = ((part.file_name or b"").decode(errors="replace"), part.file_object.read())

    try:
        parse_form({"Content-Type": content_type.encode()}, io.BytesIO(raw), lambda _field: None, on_file)
    except (FormParserError, ValueError) as exc:
        raise bad_request([Violation(name="invoice", reason=f"{INVALID}: {exc}")]) from exc
    if "invoice" not in files:
        raise bad_request([Violation(name="invoice", reason="Request contains no 'invoice' file part.")])
    filename, content = files["invoice"]
    if not content.startswith(b"%PDF-"):
        raise bad_request([Violation(name="invoice", reason=f"{INVALID}: the invoice must be a PDF file.")])
    if len(content) > MAX_BYTES:
        raise bad_request([Violation(name="invoice", reason=f"{INVALID}: the invoice exceeds {MAX_BYTES} bytes.")])
    return filename, content


class InvoiceBook:
    def __init__(self) -> None:
        self._invoices: list[UploadedInvoice] = []

    def add(self, shipment_id: str, filename: str, size: int, at: datetime) -> None:
        # A second upload for the same shipment replaces the first, as on bol.
        self._invoices = [i for i in self._invoices if i.shipment_id != shipment_id]
        self._invoices.append(UploadedInvoice(shipment_id, filename, size, at))

    def records(self) -> list[dict[str, Any]]:
        return [{"shipmentId": i.shipment_id, "filename": i.filename, "size": i.size} for i in self._invoices]
