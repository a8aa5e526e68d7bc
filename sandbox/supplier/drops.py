"""How the portal sandbox delivers an order by file drop and by mail, in the
portal's standard CSV layout and mail template, written here from the
portal's documentation (not from the adapter, which it is there to test);
and the malformed variants the control API injects."""

import asyncio
import csv
import io
import os
import smtplib
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from email.message import EmailMessage
from enum import StrEnum
from html import escape
from pathlib import Path

HEADER = [
    "Order Number",
    "Order Date",
    "Retailer",
    "SKU",
    "Description",
    "Quantity",
    "Unit Price",
    "Contact Name",
    "Contact Email",
    "Contact Phone",
    "Delivery Name",
    "Delivery Company",
    "Address Line 1",
    "Address Line 2",
    "Town/City",
    "Postcode",
    "Country",
]


class Malformed(StrEnum):
    """What the control API can break in a delivery."""

    MISSING_COLUMN = "missing_column"  # the file lacks its Quantity column
    BAD_QUANTITY = "bad_quantity"  # a quantity reads "two"
    NO_ORDER_NUMBER = "no_order_number"  # the mail names no order number


@dataclass
class DropLine:
    sku: str
    quantity: int
    unit_price: Decimal
    description: str = ""


@dataclass
class DropOrder:
    """An order as the portal hands it to its supplier."""

    order_number: str
    placed_at: datetime
    lines: list[DropLine]
    retailer: str = "Sandbox Retail Ltd"
    contact_name: str = "Jane Doe"
    contact_email: str = "jane.doe@example.com"
    contact_phone: str = ""
    delivery_name: str = "Jane Doe"
    delivery_company: str = ""
    address_line_1: str = "1 High Street"
    address_line_2: str = ""
    city: str = "London"
    postcode: str = "SW1A 1AA"
    country: str = "GB"
    extra: dict[str, str] = field(default_factory=dict)


def order_csv(order: DropOrder, malformed: Malformed | None = None) -> bytes:
    header = list(HEADER)
    rows = []
    for number, line in enumerate(order.lines):
        quantity = "two" if malformed is Malformed.BAD_QUANTITY and number == len(order.lines) - 1 else line.quantity
        rows.append(
            [
                order.order_number,
                order.placed_at.strftime("%d/%m/%Y %H:%M"),
                order.retailer,
                line.sku,
                line.description,
                quantity,
                f"{line.unit_price:.2f}",
                order.contact_name,
                order.contact_email,
                order.contact_phone,
                order.delivery_name,
                order.delivery_company,
                order.address_line_1,
                order.address_line_2,
                order.city,
                order.postcode,
                order.country,
            ]
        )
    if malformed is Malformed.MISSING_COLUMN:
        gone = header.index("Quantity")
        header.pop(gone)
        for row in rows:
            row.pop(gone)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")  # the portal's exports open in Excel


def write_order_file(folder: Path, order: DropOrder, malformed: Malformed | None = None) -> str:
    """Write the order's file into the SFTP server's folder, whole or not at
    all: a reader never sees half a file (written aside, then renamed)."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"order-{order.order_number}-{uuid.uuid4().hex[:6]}.csv"
    part = folder / f".{name}.part"
    part.write_bytes(order_csv(order, malformed))
    os.replace(part, folder / name)
    return name


def _labelled(order: DropOrder, malformed: Malformed | None) -> list[tuple[str, str]]:
    fields = [
        ("Order Number", order.order_number),
        ("Order Date", order.placed_at.strftime("%d/%m/%Y %H:%M")),
        ("Retailer", order.retailer),
    ]
    if malformed is Malformed.NO_ORDER_NUMBER:
        fields = fields[1:]
    return fields


def _address(order: DropOrder) -> list[tuple[str, str]]:
    fields = [
        ("Contact", order.contact_name),
        ("Email", order.contact_email),
        ("Phone", order.contact_phone),
        ("Deliver To", order.delivery_name),
        ("Company", order.delivery_company),
        ("Address Line 1", order.address_line_1),
        ("Address Line 2", order.address_line_2),
        ("Town/City", order.city),
        ("Postcode", order.postcode),
        ("Country", order.country),
    ]
    return [(label, value) for label, value in fields if value]


def _item(line: DropLine, malformed: Malformed | None) -> str:
    quantity = "two" if malformed is Malformed.BAD_QUANTITY else str(line.quantity)
    return f"{quantity} x {line.sku} - {line.description or line.sku} @ {line.unit_price:.2f}"


def order_mail(order: DropOrder, to: str, malformed: Malformed | None = None) -> EmailMessage:
    """The portal's order mail: plain text with an HTML alternative."""
    head, address = _labelled(order, malformed), _address(order)
    items = [_item(line, malformed) for line in order.lines]
    plain = "\n".join(
        [
            "Dear supplier,",
            "",
            f"{order.retailer} has placed an order with you. Please dispatch it as soon as possible.",
            "",
            *(f"{label}: {value}" for label, value in head),
            "",
            "Items:",
            *items,
            "",
            *(f"{label}: {value}" for label, value in address),
            "",
            "Kind regards,",
            "The supplier portal",
        ]
    )
    html = "".join(
        [
            "<html><body><p>Dear supplier,</p>",
            f"<p>{escape(order.retailer)} has placed an order with you.</p>",
            *(f"<p>{escape(label)}: <strong>{escape(value)}</strong></p>" for label, value in head),
            "<ul>",
            *(f"<li>{escape(item)}</li>" for item in items),
            "</ul><table>",
            *(f"<tr><td>{escape(label)}:</td><td>{escape(value)}</td></tr>" for label, value in address),
            "</table><p>Kind regards,<br>The supplier portal</p></body></html>",
        ]
    )
    message = EmailMessage()
    subject_number = "" if malformed is Malformed.NO_ORDER_NUMBER else f" {order.order_number}"
    message["Subject"] = f"New order{subject_number} from {order.retailer}"
    message["From"] = "orders@supplier-portal.sandbox"
    message["To"] = to
    message["Message-ID"] = f"<{uuid.uuid4().hex}@supplier-portal.sandbox>"
    message.set_content(plain)
    message.add_alternative(html, subtype="html")
    return message


async def send_mail(host: str, port: int, message: EmailMessage) -> None:
    def send() -> None:
        with smtplib.SMTP(host, port, timeout=10) as smtp:
            smtp.send_message(message)

    await asyncio.to_thread(send)
