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
from datetime import UTC, datetime
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from enum import StrEnum
from html import escape
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

# The portal writes its dates in its own (UK) time, without a zone.
LONDON = ZoneInfo("Europe/London")
RETAILER = "Sandbox Retail Ltd"

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


def _fields(order: dict[str, Any]) -> dict[str, str]:
    """The order's own fields as the portal writes them in files and mails."""
    contact = order.get("contact") or {}
    address = order["delivery_address"]
    line_1 = " ".join(part for part in (address.get("house_number"), address.get("street")) if part)
    return {
        "Order Number": str(order["order_number"]),
        "Order Date": datetime.fromisoformat(str(order["placed_at"])).astimezone(LONDON).strftime("%d/%m/%Y %H:%M"),
        "Retailer": str(order.get("retailer") or RETAILER),
        "Contact Name": str(contact.get("name") or ""),
        "Contact Email": str(contact.get("email") or ""),
        "Contact Phone": str(contact.get("phone") or ""),
        "Delivery Name": str(address.get("name") or ""),
        "Delivery Company": str(address.get("company") or ""),
        "Address Line 1": line_1,
        "Address Line 2": "",
        "Town/City": str(address.get("city") or ""),
        "Postcode": str(address.get("postcode") or ""),
        "Country": str(address.get("country") or ""),
    }


def _price(item: dict[str, Any]) -> str:
    return f"{Decimal(str(item['price'])):.2f}"


def order_csv(order: dict[str, Any], malformed: Malformed | None = None) -> bytes:
    header = list(HEADER)
    fields = _fields(order)
    items = order["items"]
    rows = []
    for number, item in enumerate(items):
        quantity = "two" if malformed is Malformed.BAD_QUANTITY and number == len(items) - 1 else item["quantity"]
        line = {
            **fields,
            "SKU": str(item.get("sku") or ""),
            "Description": str(item.get("title") or ""),
            "Quantity": str(quantity),
            "Unit Price": _price(item),
        }
        rows.append([line[column] for column in HEADER])
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


def write_order_file(folder: Path, order: dict[str, Any], malformed: Malformed | None = None) -> str:
    """Write the order's file into the SFTP server's folder, whole or not at
    all: a reader never sees half a file (written aside, then renamed)."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"order-{order['order_number']}-{uuid.uuid4().hex[:6]}.csv"
    part = folder / f".{name}.part"
    part.write_bytes(order_csv(order, malformed))
    os.replace(part, folder / name)
    return name


_HEAD = ("Order Number", "Order Date", "Retailer")
# The mail's labels for the address fields (the CSV's names differ a little).
_MAIL_LABELS = {
    "Contact Name": "Contact",
    "Contact Email": "Email",
    "Contact Phone": "Phone",
    "Delivery Name": "Deliver To",
    "Delivery Company": "Company",
    "Address Line 1": "Address Line 1",
    "Address Line 2": "Address Line 2",
    "Town/City": "Town/City",
    "Postcode": "Postcode",
    "Country": "Country",
}


def order_mail(order: dict[str, Any], to: str, malformed: Malformed | None = None) -> EmailMessage:
    """The portal's order mail: plain text with an HTML alternative."""
    fields = _fields(order)
    head = [
        (label, fields[label])
        for label in _HEAD
        if label != "Order Number" or malformed is not Malformed.NO_ORDER_NUMBER
    ]
    address = [(label, fields[column]) for column, label in _MAIL_LABELS.items() if fields[column]]
    items = [
        f"{'two' if malformed is Malformed.BAD_QUANTITY else item['quantity']} x {item.get('sku')} - "
        f"{item.get('title') or item.get('sku')} @ {_price(item)}"
        for item in order["items"]
    ]
    retailer = fields["Retailer"]
    plain = "\n".join(
        [
            "Dear supplier,",
            "",
            f"{retailer} has placed an order with you. Please dispatch it as soon as possible.",
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
            f"<p>{escape(retailer)} has placed an order with you.</p>",
            *(f"<p>{escape(label)}: <strong>{escape(value)}</strong></p>" for label, value in head),
            "<ul>",
            *(f"<li>{escape(item)}</li>" for item in items),
            "</ul><table>",
            *(f"<tr><td>{escape(label)}:</td><td>{escape(value)}</td></tr>" for label, value in address),
            "</table><p>Kind regards,<br>The supplier portal</p></body></html>",
        ]
    )
    message = EmailMessage()
    number = "" if malformed is Malformed.NO_ORDER_NUMBER else f" {order['order_number']}"
    message["Subject"] = f"New order{number} from {retailer}"
    message["From"] = "orders@supplier-portal.sandbox"
    message["To"] = to
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain="supplier-portal.sandbox")
    message.set_content(plain)
    message.add_alternative(html, subtype="html")
    return message


async def send_mail(host: str, port: int, message: EmailMessage) -> None:
    def send() -> None:
        with smtplib.SMTP(host, port, timeout=10) as smtp:
            smtp.send_message(message)

    await asyncio.to_thread(send)
