"""A channel's offer export as read: the offers, and what could not be read.
Exports are large files written by the marketplace; one bad row, or a column
it stopped writing, must cost the seller that row or that comparison, never
the whole reconciliation."""

from pydantic import BaseModel, Field

from domain.offers.model import LiveOffer

# Offer fields reconciliation compares, when the export has a column for them.
COMPARED = ("stock", "price", "on_hold", "delivery_code")
# How many unreadable rows are described; the rest are counted.
DESCRIBED_ROWS = 20


class OfferExport(BaseModel):
    offers: list[LiveOffer] = Field(default_factory=list)
    # Offers whose row had an id but an unreadable value: present, not compared.
    unreadable_ids: list[str] = Field(default_factory=list)
    bad_rows: list[str] = Field(default_factory=list)
    bad_row_count: int = 0
    # Compared fields the export has no column for.
    absent: list[str] = Field(default_factory=list)
    # False when some row had no offer id: then no offer can be said to be gone.
    complete: bool = True

    def bad_row(self, line: int, why: str) -> None:
        self.bad_row_count += 1
        if len(self.bad_rows) < DESCRIBED_ROWS:
            self.bad_rows.append(f"line {line}: {why}")
