"""How a supplier portal writes its orders into files and mails: the fields
of a portal order, the CSV layout (column per field) and the mail template
(a pattern per field). The portal's standard layout and template are the
defaults; a portal that writes another layout (semicolons, other headers,
decimal commas) or another template is configured, never coded."""

import re
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator


class PortalField(StrEnum):
    """One field of a portal order as files and mails carry it."""

    ORDER_NUMBER = "order number"
    ORDER_DATE = "order date"
    RETAILER = "retailer"
    SKU = "sku"
    DESCRIPTION = "description"
    QUANTITY = "quantity"
    UNIT_PRICE = "unit price"
    CONTACT_NAME = "contact name"
    CONTACT_EMAIL = "contact email"
    CONTACT_PHONE = "contact phone"
    DELIVERY_NAME = "delivery name"
    DELIVERY_COMPANY = "delivery company"
    ADDRESS_LINE_1 = "address line 1"
    ADDRESS_LINE_2 = "address line 2"
    CITY = "town/city"
    POSTCODE = "postcode"
    COUNTRY = "country"


# An order cannot be fulfilled without these; the others may be left out.
REQUIRED_FIELDS = frozenset(
    {
        PortalField.ORDER_NUMBER,
        PortalField.ORDER_DATE,
        PortalField.SKU,
        PortalField.QUANTITY,
        PortalField.UNIT_PRICE,
        PortalField.DELIVERY_NAME,
        PortalField.ADDRESS_LINE_1,
        PortalField.CITY,
        PortalField.POSTCODE,
        PortalField.COUNTRY,
    }
)
# Fields that belong to one line of the order; the rest repeat on every line.
LINE_FIELDS = frozenset({PortalField.SKU, PortalField.DESCRIPTION, PortalField.QUANTITY, PortalField.UNIT_PRICE})

# The portal's standard CSV export: one row per order line, the order's own
# fields repeated on each row.
STANDARD_COLUMNS: dict[PortalField, str] = {
    PortalField.ORDER_NUMBER: "Order Number",
    PortalField.ORDER_DATE: "Order Date",
    PortalField.RETAILER: "Retailer",
    PortalField.SKU: "SKU",
    PortalField.DESCRIPTION: "Description",
    PortalField.QUANTITY: "Quantity",
    PortalField.UNIT_PRICE: "Unit Price",
    PortalField.CONTACT_NAME: "Contact Name",
    PortalField.CONTACT_EMAIL: "Contact Email",
    PortalField.CONTACT_PHONE: "Contact Phone",
    PortalField.DELIVERY_NAME: "Delivery Name",
    PortalField.DELIVERY_COMPANY: "Delivery Company",
    PortalField.ADDRESS_LINE_1: "Address Line 1",
    PortalField.ADDRESS_LINE_2: "Address Line 2",
    PortalField.CITY: "Town/City",
    PortalField.POSTCODE: "Postcode",
    PortalField.COUNTRY: "Country",
}


class CsvLayout(BaseModel):
    """One CSV file per order. `columns` maps each field to its header; a
    field left out of `columns` is not in the files (required ones must be)."""

    model_config = ConfigDict(frozen=True)

    delimiter: str = Field(default=",", min_length=1, max_length=1)
    decimal_separator: str = Field(default=".", min_length=1, max_length=1)
    encoding: str = "utf-8-sig"  # the portal's Excel-friendly exports start with a BOM
    # strptime formats tried in turn; ISO 8601 is always understood.
    date_formats: list[str] = Field(default_factory=lambda: ["%d/%m/%Y %H:%M", "%d/%m/%Y"])
    # The portal's time zone, for dates written without one.
    time_zone: str = "Europe/London"
    columns: dict[PortalField, str] = Field(default_factory=lambda: dict(STANDARD_COLUMNS))

    @model_validator(mode="after")
    def _required_columns(self) -> "CsvLayout":
        missing = sorted(str(field) for field in REQUIRED_FIELDS - self.columns.keys())
        if missing:
            raise ValueError(f"the CSV layout must name a column for: {', '.join(missing)}")
        return self


def _labelled(label: str) -> str:
    # "Label: value" on a line of its own, in the plain body or a paragraph of the HTML one.
    return rf"^[ \t]*{label}[ \t]*:[ \t]*(?P<value>\S.*?)[ \t]*$"


# The portal's order mail: labelled lines, and one line per item like
# "2 x ABC-123 - Blue widget @ 12.50" (the HTML version puts the same text
# in paragraphs and list items).
STANDARD_PATTERNS: dict[PortalField, str] = {
    PortalField.ORDER_NUMBER: _labelled("Order Number"),
    PortalField.ORDER_DATE: _labelled("Order Date"),
    PortalField.RETAILER: _labelled("Retailer"),
    PortalField.CONTACT_NAME: _labelled("Contact"),
    PortalField.CONTACT_EMAIL: _labelled("Email"),
    PortalField.CONTACT_PHONE: _labelled("Phone"),
    PortalField.DELIVERY_NAME: _labelled("Deliver To"),
    PortalField.DELIVERY_COMPANY: _labelled("Company"),
    PortalField.ADDRESS_LINE_1: _labelled("Address Line 1"),
    PortalField.ADDRESS_LINE_2: _labelled("Address Line 2"),
    PortalField.CITY: _labelled("Town/City"),
    PortalField.POSTCODE: _labelled("Postcode"),
    PortalField.COUNTRY: _labelled("Country"),
}
STANDARD_ITEM_PATTERN = (
    r"^[ \t]*(?P<quantity>\S+)[ \t]+x[ \t]+(?P<sku>\S+)[ \t]+-[ \t]+(?P<description>.*?)"
    r"(?:[ \t]+@[ \t]+(?P<unit_price>\S+))?[ \t]*$"
)


class MailTemplate(BaseModel):
    """How to read an order mail: a regular expression per order field (its
    value in the group named `value`, else the first group), and one for an
    item line with groups named after the line fields (sku, quantity,
    description, unit_price). Patterns match line by line (MULTILINE),
    against the plain-text body, or the HTML body turned into text."""

    model_config = ConfigDict(frozen=True)

    fields: dict[PortalField, str] = Field(default_factory=lambda: dict(STANDARD_PATTERNS))
    item_pattern: str = STANDARD_ITEM_PATTERN
    decimal_separator: str = Field(default=".", min_length=1, max_length=1)
    date_formats: list[str] = Field(default_factory=lambda: ["%d/%m/%Y %H:%M", "%d/%m/%Y"])
    # The portal's time zone, for dates written without one.
    time_zone: str = "Europe/London"
    # Matched against the subject when the body names no order number.
    subject_order_number: str | None = r"\border\s+(?P<value>[A-Z0-9][A-Z0-9-]*\d)\b"

    @model_validator(mode="after")
    def _patterns_compile(self) -> "MailTemplate":
        for name, pattern in [*((str(k), v) for k, v in self.fields.items()), ("item_pattern", self.item_pattern)]:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"mail pattern for {name} is not a regular expression: {exc}") from exc
        for group in ("sku", "quantity"):
            if f"(?P<{group}>" not in self.item_pattern:
                raise ValueError(f"the item pattern needs a group named {group!r}")
        return self


class DraftLine(BaseModel):
    sku: str
    description: str = ""
    quantity: int = Field(gt=0)
    unit_price: Decimal | None = None
    # Where it was read: the file's line (1 is the header), for errors found later.
    source_line: int | None = None


class PortalOrderDraft(BaseModel):
    """A portal order as one file or mail carried it, before it is mapped to
    the canonical order. Holds the buyer's address: never log it."""

    model_config = ConfigDict(hide_input_in_errors=True)

    order_number: str
    placed_at: datetime | None = None
    retailer: str | None = None
    lines: list[DraftLine]
    contact_name: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    delivery_name: str
    delivery_company: str | None = None
    address_line_1: str
    address_line_2: str | None = None
    city: str
    postcode: str
    country: str


# PortalOrderDraft's attribute for each order-level field.
DRAFT_ATTRIBUTES: dict[PortalField, str] = {
    PortalField.ORDER_NUMBER: "order_number",
    PortalField.ORDER_DATE: "placed_at",
    PortalField.RETAILER: "retailer",
    PortalField.CONTACT_NAME: "contact_name",
    PortalField.CONTACT_EMAIL: "contact_email",
    PortalField.CONTACT_PHONE: "contact_phone",
    PortalField.DELIVERY_NAME: "delivery_name",
    PortalField.DELIVERY_COMPANY: "delivery_company",
    PortalField.ADDRESS_LINE_1: "address_line_1",
    PortalField.ADDRESS_LINE_2: "address_line_2",
    PortalField.CITY: "city",
    PortalField.POSTCODE: "postcode",
    PortalField.COUNTRY: "country",
}


def parse_quantity(text: str) -> int:
    """A whole number of pieces, at least one."""
    value = int(text.strip())
    if value < 1:
        raise ValueError("must be at least 1")
    return value


def parse_decimal(text: str, decimal_separator: str) -> Decimal:
    """A price as the portal writes it: "12.50", or "12,50" with a decimal comma."""
    cleaned = text.strip()
    if decimal_separator != ".":
        cleaned = cleaned.replace(".", "").replace(decimal_separator, ".")
    else:
        cleaned = cleaned.replace(",", "")
    cleaned = cleaned.lstrip("£€$ ")  # a currency sign in front
    return Decimal(cleaned)


def parse_date(text: str, formats: list[str], zone: str) -> datetime:
    """A date as the portal writes it; one without a zone is in the portal's `zone`."""
    value = text.strip()
    parsed: datetime | None = None
    for fmt in formats:
        try:
            parsed = datetime.strptime(value, fmt)  # noqa: DTZ007 - the zone is added below
            break
        except ValueError:
            continue
    if parsed is None:
        parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo(zone))
