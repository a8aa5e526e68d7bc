"""The catalog as a CSV file: the columns `catalog import` reads and
`catalog export` writes, and the checks each cell gets. One row changes one
product; a column left out of the file leaves that field as it is."""

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel

from domain.ean import normalise_ean
from domain.offers.condition import OfferCondition

COLUMNS = ("sku", "ean", "title", "brand", "category", "condition", "cost_price", "list_price", "on_hand")
PRICE_COLUMNS = ("cost_price", "list_price")
# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_SKU = 64
MAX_PRICE = Decimal("9999999999.99")  # the store keeps 12 digits, 2 after the point


class ProductPatch(BaseModel):
    """What one row (or one `product set`) changes; only the fields in
    `model_fields_set` are applied. `on_hand` None leaves stock as it is."""

    sku: str
    ean: str | None = None
    title: str = ""
    brand: str | None = None
    category: str | None = None
    condition: OfferCondition = OfferCondition.NEW
    cost_price: Decimal | None = None
    list_price: Decimal | None = None
    on_hand: int | None = None


class FieldError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


def parse_price(field: str, text: str) -> Decimal | None:
    """12.95 or 12,95 (a spreadsheet in a Dutch or German locale writes the
    latter); no thousands separators, at most two decimals."""
    if not text:
        return None
    if "," in text and "." in text:
        raise FieldError(field, f"{text!r} has both a dot and a comma; write 1234.56 or 1234,56")
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise FieldError(field, f"{text!r} is not a price") from None
    if not value.is_finite() or value < 0:
        raise FieldError(field, f"{text!r} is not a price")
    if value.as_tuple().exponent < -2:  # type: ignore[operator]  # finite, so an int
        raise FieldError(field, f"{text!r} has more than two decimals")
    if value > MAX_PRICE:
        raise FieldError(field, f"{text!r} is too large")
    return value


def _sku(text: str) -> str:
    if not text:
        raise FieldError("sku", "is empty")
    if len(text) > MAX_SKU:
        raise FieldError("sku", f"is longer than {MAX_SKU} characters")
    return text


def _ean(text: str) -> str | None:
    if not text:
        return None  # kept as it is; a new product without one is refused by the store
    try:
        return normalise_ean(text)
    except ValueError as exc:
        raise FieldError("ean", str(exc)) from None


def _condition(text: str) -> OfferCondition:
    if not text:
        return OfferCondition.NEW
    try:
        return OfferCondition(text.upper().replace(" ", "_").replace("-", "_"))
    except ValueError:
        raise FieldError("condition", f"{text!r} is not one of {', '.join(OfferCondition)}") from None


def _on_hand(text: str) -> int | None:
    if not text:
        return None
    if not text.isdigit():
        raise FieldError("on_hand", f"{text!r} is not a whole number of 0 or more")
    return int(text)


PARSERS: dict[str, Callable[[str], Any]] = {
    "sku": _sku,
    "ean": _ean,
    "title": lambda text: text,
    "brand": lambda text: text or None,
    "category": lambda text: text or None,
    "condition": _condition,
    "cost_price": lambda text: parse_price("cost_price", text),
    "list_price": lambda text: parse_price("list_price", text),
    "on_hand": _on_hand,
}


def unescape(cell: str) -> str:
    """Undo `spreadsheet_safe`, so an exported file imports unchanged."""
    return cell[1:] if cell.startswith("'") and cell[1:2] in FORMULA_STARTS and cell[1:2] else cell


def spreadsheet_safe(cell: str) -> str:
    """A quote in front keeps a spreadsheet from running the cell (OWASP's
    advice against CSV injection)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def parse_cells(cells: dict[str, str]) -> ProductPatch:
    """One product from named cells; raises FieldError for the first bad one.
    An empty EAN or on_hand cell leaves the product's as it is."""
    values = {field: PARSERS[field](unescape(text.strip())) for field, text in cells.items()}
    return ProductPatch(**{k: v for k, v in values.items() if v is not None or k not in ("ean", "on_hand")})


@dataclass
class CatalogLine:
    line: int
    patch: ProductPatch | None
    error: FieldError | None = None


def check_header(columns: list[str]) -> list[str]:
    names = [column.strip().lower() for column in columns]
    unknown = [name for name in names if name not in COLUMNS]
    if unknown:
        raise ValueError(f"unknown column {unknown[0]!r}; the columns are {', '.join(COLUMNS)}")
    if "sku" not in names:
        raise ValueError(f"the header must name the column sku (the columns are {', '.join(COLUMNS)})")
    return names


def read_catalog(lines: Iterable[str]) -> Iterator[CatalogLine]:
    """Rows of a catalog file, one at a time: a bad row carries the error
    naming its field, the others their change. The header is required;
    commas, semicolons or tabs separate the cells."""
    lines = iter(lines)
    header = next(lines, "")
    delimiter = max(",;\t", key=header.count)
    reader = csv.reader(_chain(header, lines), delimiter=delimiter)
    names = check_header(next(reader, []))
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        line = reader.line_num
        if len(cells) > len(names):
            yield CatalogLine(
                line, None, FieldError(names[-1], f"the row has {len(cells)} cells, the header {len(names)}")
            )
            continue
        cells += [""] * (len(names) - len(cells))
        try:
            yield CatalogLine(line, parse_cells(dict(zip(names, cells, strict=True))))
        except FieldError as exc:
            yield CatalogLine(line, None, exc)


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


def export_row(values: dict[str, Any]) -> list[str]:
    """One product as the cells of COLUMNS, safe to open in a spreadsheet."""
    cells = []
    for column in COLUMNS:
        value = values.get(column)
        cells.append(spreadsheet_safe("" if value is None else str(value)))
    return cells
