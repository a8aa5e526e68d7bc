"""Read one portal order from one CSV file, in the channel's column layout.
Every problem names the line and the field, as ops see it in a spreadsheet:
line 1 is the header."""

import csv
import io
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from domain.portal_formats import (
    DRAFT_ATTRIBUTES,
    REQUIRED_FIELDS,
    CsvLayout,
    DraftLine,
    PortalField,
    PortalOrderDraft,
    parse_date,
    parse_decimal,
    parse_quantity,
)


class OrderFileError(ValueError):
    """Why a file is not an order we can take, with where it says so."""

    def __init__(self, problem: str, line: int | None = None, field: str | None = None):
        self.problem = problem
        self.line = line
        self.field = field
        where = ", ".join(
            part for part in (f"line {line}" if line else "", f"field {field!r}" if field else "") if part
        )
        super().__init__(f"{where}: {problem}" if where else problem)


def parse_order_csv(content: bytes, layout: CsvLayout | None = None) -> PortalOrderDraft:
    layout = layout or CsvLayout()
    try:
        text = content.decode(layout.encoding)
    except UnicodeDecodeError as exc:
        raise OrderFileError(f"the file is not {layout.encoding} text (byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=layout.delimiter)
    try:
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise OrderFileError(f"not readable as CSV: {exc}", line=reader.line_num) from None
    rows = [(number, row) for number, row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise OrderFileError("the file is empty")
    (_, header), body = rows[0], rows[1:]
    index = _column_index(header, layout)
    if not body:
        raise OrderFileError("the file has a header but no order lines", line=2)
    order: dict[str, Any] = {}
    lines: list[DraftLine] = []
    for number, row in body:
        cells = {field: row[i].strip() if i < len(row) else "" for field, i in index.items()}
        _order_fields(order, cells, number, layout)
        lines.append(_line(cells, number, layout))
    try:
        return PortalOrderDraft(**order, lines=lines)
    except ValidationError as exc:  # only a value our checks above let through
        raise OrderFileError(f"not an order: {exc.errors()[0]['msg']}") from None


def _column_index(header: list[str], layout: CsvLayout) -> dict[PortalField, int]:
    positions = {name.strip().casefold(): i for i, name in enumerate(header)}
    index: dict[PortalField, int] = {}
    missing: list[str] = []
    for field, column in layout.columns.items():
        if column.strip().casefold() in positions:
            index[field] = positions[column.strip().casefold()]
        elif field in REQUIRED_FIELDS:
            missing.append(column)
    if missing:
        names = ", ".join(repr(name) for name in missing)
        raise OrderFileError(f"column {names} {'is' if len(missing) == 1 else 'are'} missing from the header", line=1)
    return index


def _column(layout: CsvLayout, field: PortalField) -> str:
    return layout.columns.get(field, str(field))


def _order_fields(order: dict[str, Any], cells: dict[PortalField, str], number: int, layout: CsvLayout) -> None:
    for field, attribute in DRAFT_ATTRIBUTES.items():
        raw = cells.get(field, "")
        if not raw:
            if field in REQUIRED_FIELDS and attribute not in order:
                raise OrderFileError("is empty", line=number, field=_column(layout, field))
            continue
        value: Any = raw
        if field is PortalField.ORDER_DATE:
            try:
                value = parse_date(raw, layout.date_formats, layout.time_zone)
            except ValueError:
                raise OrderFileError(f"{raw!r} is not a date", line=number, field=_column(layout, field)) from None
        if attribute in order and order[attribute] != value:
            if field is PortalField.ORDER_NUMBER:
                raise OrderFileError(
                    f"{raw!r} differs from {order[attribute]!r} above: one file holds one order",
                    line=number,
                    field=_column(layout, field),
                )
            continue  # the first line's address wins; later lines may repeat it loosely
        order.setdefault(attribute, value)


def _line(cells: dict[PortalField, str], number: int, layout: CsvLayout) -> DraftLine:
    sku = cells.get(PortalField.SKU, "")
    if not sku:
        raise OrderFileError("is empty", line=number, field=_column(layout, PortalField.SKU))
    raw_quantity = cells.get(PortalField.QUANTITY, "")
    try:
        quantity = parse_quantity(raw_quantity)
    except ValueError:
        raise OrderFileError(
            f"{raw_quantity!r} is not a whole number of at least 1",
            line=number,
            field=_column(layout, PortalField.QUANTITY),
        ) from None
    price: Decimal | None = None
    raw_price = cells.get(PortalField.UNIT_PRICE, "")
    if raw_price:
        try:
            price = parse_decimal(raw_price, layout.decimal_separator)
        except (ValueError, ArithmeticError):
            raise OrderFileError(
                f"{raw_price!r} is not an amount (decimal separator {layout.decimal_separator!r})",
                line=number,
                field=_column(layout, PortalField.UNIT_PRICE),
            ) from None
    return DraftLine(sku=sku, description=cells.get(PortalField.DESCRIPTION, ""), quantity=quantity, unit_price=price)
