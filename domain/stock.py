"""Stock: what changes it and how it reads."""

import re

from pydantic import BaseModel, Field

# The ApplicationError type of a stock change the store refused (unknown
# SKU, stock below zero): retrying it cannot help, the caller must change it.
STOCK_REJECTED_ERROR_TYPE = "StockRejected"


class StockCommand(BaseModel):
    sku: str
    quantity: int  # the new on-hand for set_stock, the delta for adjust_stock
    reason: str | None = None
    # Makes the change happen once however often it is retried; the
    # inventory workflow sets it to the update's id.
    request_id: str | None = None


class StockLevelView(BaseModel):
    sku: str
    on_hand: int
    reserved: int
    available: int


class StockImportRow(BaseModel):
    line: int
    sku: str
    on_hand: int = Field(ge=0)


class StockImportBatch(BaseModel):
    """Rows of one CSV import, staged until the import is applied at once."""

    import_id: str
    rows: list[StockImportRow]


class RowRejected(BaseModel):
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class StockImportApply(BaseModel):
    import_id: str
    # Discard the staged rows instead (--all-or-nothing with a bad row).
    discard: bool = False


class StockImportOutcome(BaseModel):
    applied: int


# Larger counts are typing mistakes, and would not fit the store's columns.
MAX_QUANTITY = 1_000_000_000
SKU_MAX_LENGTH = 64
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")


def parse_sku(text: str, field: str = "sku") -> str:
    sku = text.strip()
    if not sku:
        raise ValueError(f"{field} is empty")
    if len(sku) > SKU_MAX_LENGTH:
        raise ValueError(f"{field} {sku[:20]!r}… is longer than {SKU_MAX_LENGTH} characters")
    if not sku.isprintable() or "\ufffd" in sku:
        raise ValueError(f"{field} {sku!r} has characters a SKU cannot have")
    return sku


def parse_quantity(text: str, field: str, *, signed: bool = False) -> int:
    """A count of units as people type it: ASCII digits only (`int` would
    take `²` or Arabic-Indic digits), within MAX_QUANTITY; negative only
    when `signed` (a delta)."""
    value = text.strip()
    if not value:
        raise ValueError(f"{field} is empty")
    if not _WHOLE_NUMBER.fullmatch(value):
        raise ValueError(f"{field} {value!r} is not a whole number")
    number = int(value)
    if number < 0 and not signed:
        raise ValueError(f"{field} {number} is negative")
    if abs(number) > MAX_QUANTITY:
        raise ValueError(f"{field} {number} is beyond {MAX_QUANTITY:,}")
    return number
