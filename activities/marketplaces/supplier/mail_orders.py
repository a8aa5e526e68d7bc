"""Read one portal order from one order mail: its plain-text body, or its
HTML body turned into lines of text, matched against the channel's mail
template. What the mail lacks is named, all of it at once, so ops can ask
the portal for one corrected mail."""

import re
from decimal import Decimal
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from lxml import html as lxml_html
from pydantic import ValidationError

from domain.portal_formats import (
    DRAFT_ATTRIBUTES,
    REQUIRED_FIELDS,
    DraftLine,
    MailTemplate,
    PortalField,
    PortalOrderDraft,
    parse_date,
    parse_decimal,
    parse_quantity,
)

# HTML elements that start a new line of text when the body is read as text.
_BLOCKS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "table", "ul", "ol", "section")


class OrderMailError(ValueError):
    """Why a mail is not an order we can take: the fields it lacks, and the
    values it has that do not read."""

    def __init__(self, missing: list[str], invalid: list[str] | None = None):
        self.missing = missing
        self.invalid = invalid or []
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing)}")
        parts.extend(self.invalid)
        super().__init__("; ".join(parts))


def read_mail(raw: bytes) -> EmailMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)  # policy.default builds EmailMessage
    return message


def mail_subject(message: EmailMessage) -> str:
    return str(message.get("Subject", "")).strip() or "(no subject)"


def mail_text(message: EmailMessage) -> str:
    """The body as text: the plain part if there is one, else the HTML part as text."""
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    if not isinstance(content, str):
        return ""
    if part.get_content_subtype() == "html":
        return html_to_text(content)
    return content


def html_to_text(markup: str) -> str:
    """Lines as a reader sees them: a line per paragraph, list item and table
    row, the cells of a row side by side."""
    if not markup.strip():
        return ""
    root = lxml_html.fromstring(markup)
    for bad in root.xpath("//script|//style|//head"):
        bad.drop_tree()
    for element in root.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
        if element.tag != "br":
            element.text = "\n" + (element.text or "")
    for cell in root.iter("td", "th"):
        cell.tail = " " + (cell.tail or "")
    text = root.text_content().replace("\u00a0", " ")
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def parse_order_mail(raw: bytes, template: MailTemplate | None = None) -> PortalOrderDraft:
    template = template or MailTemplate()
    message = read_mail(raw)
    text = mail_text(message)
    missing: list[str] = []
    invalid: list[str] = []
    order: dict[str, Any] = {}
    for field in DRAFT_ATTRIBUTES:
        pattern = template.fields.get(field)  # a template without it never finds it
        found = _first(pattern, text) if pattern else None
        if found is None and field is PortalField.ORDER_NUMBER and template.subject_order_number:
            found = _first(template.subject_order_number, mail_subject(message), flags=re.IGNORECASE)
        if found is None and field is PortalField.ORDER_DATE and message.get("Date"):
            order[DRAFT_ATTRIBUTES[field]] = message["Date"].datetime  # when the portal sent it
            continue
        if found is None:
            if field in REQUIRED_FIELDS:
                missing.append(str(field))
            continue
        if field is PortalField.ORDER_DATE:
            try:
                order[DRAFT_ATTRIBUTES[field]] = parse_date(found, template.date_formats, template.time_zone)
            except ValueError:
                invalid.append(f"order date {found!r} is not a date")
            continue
        order[DRAFT_ATTRIBUTES[field]] = found
    lines = _items(text, template, invalid)
    if not lines and not invalid:
        missing.append("order lines (none matched the item pattern)")
    if missing or invalid:
        raise OrderMailError(sorted(missing), invalid)
    try:
        return PortalOrderDraft(**order, lines=lines)
    except ValidationError as exc:
        raise OrderMailError([], [f"not an order: {exc.errors()[0]['msg']}"]) from None


def _first(pattern: str, text: str, flags: int = 0) -> str | None:
    match = re.search(pattern, text, flags | re.MULTILINE)
    if match is None:
        return None
    value = match.groupdict().get("value") if "value" in match.groupdict() else match.group(1 if match.re.groups else 0)
    value = (value or "").strip()
    return value or None


def _items(text: str, template: MailTemplate, invalid: list[str]) -> list[DraftLine]:
    lines: list[DraftLine] = []
    for number, match in enumerate(re.finditer(template.item_pattern, text, re.MULTILINE), start=1):
        groups = {key: (value or "").strip() for key, value in match.groupdict().items()}
        try:
            quantity = parse_quantity(groups["quantity"])
        except ValueError:
            invalid.append(f"item {number} ({groups['sku']}): quantity {groups['quantity']!r} is not a whole number")
            continue
        price: Decimal | None = None
        if not groups.get("unit_price"):
            invalid.append(f"item {number} ({groups['sku']}): unit price missing")
            continue
        try:
            price = parse_decimal(groups["unit_price"], template.decimal_separator)
        except (ValueError, ArithmeticError):
            invalid.append(f"item {number} ({groups['sku']}): unit price {groups['unit_price']!r} is not an amount")
            continue
        lines.append(
            DraftLine(sku=groups["sku"], description=groups.get("description", ""), quantity=quantity, unit_price=price)
        )
    return lines
