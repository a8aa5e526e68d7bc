"""What a seller does for an order besides shipping it: its invoice and the
buyer's messages (tickets). Both are read and written through the channel's
adapter; none of it enters a workflow except the fact that a buyer waits
for an answer (TicketsOverdue)."""

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Marketplaces take invoices of a few megabytes (Kaufland and bol: PDF).
MAX_INVOICE_BYTES = 10 * 1024 * 1024
INVOICE_MEDIA_TYPES = {".pdf": "application/pdf"}


class InvoiceFile(BaseModel):
    """The seller's invoice for one order, as read from a file."""

    filename: str = Field(min_length=1, max_length=255)
    content: bytes = Field(repr=False)
    media_type: str = "application/pdf"

    @field_validator("content")
    @classmethod
    def _a_pdf(cls, content: bytes) -> bytes:
        if len(content) > MAX_INVOICE_BYTES:
            raise ValueError(f"the invoice is {len(content)} bytes; marketplaces take at most {MAX_INVOICE_BYTES}")
        if not content.startswith(b"%PDF-"):
            raise ValueError("the invoice is not a PDF file (it does not start with %PDF-)")
        return content


class InvoiceReceipt(BaseModel):
    """An invoice the marketplace took. `references` are its ids there (bol:
    the shipments it went with; Kaufland: the invoice id)."""

    channel: str
    marketplace_order_id: str
    filename: str
    uploaded_at: datetime
    references: list[str] = Field(default_factory=list)


class TicketMessage(BaseModel):
    model_config = ConfigDict(hide_input_in_errors=True)  # the buyer's own words

    from_buyer: bool
    text: str = Field(repr=False)
    at: datetime


class Ticket(BaseModel):
    """A buyer's message thread about an order."""

    model_config = ConfigDict(hide_input_in_errors=True)

    ticket_id: str
    marketplace_order_id: str
    reason: str = ""
    opened_at: datetime
    seller_must_act: bool = True
    messages: list[TicketMessage] = Field(default_factory=list)

    @property
    def waiting_since(self) -> datetime | None:
        """When the buyer's unanswered message arrived: the last message is the
        buyer's (or there are none and the buyer opened it); None if the seller
        spoke last or nothing is asked of the seller."""
        if not self.seller_must_act:
            return None
        if not self.messages:
            return self.opened_at
        last = max(self.messages, key=lambda m: m.at)
        if not last.from_buyer:
            return None
        # The buyer's first message since the seller last spoke is when the wait began.
        waiting = last.at
        for message in sorted(self.messages, key=lambda m: m.at, reverse=True):
            if not message.from_buyer:
                break
            waiting = message.at
        return waiting

    def overdue(self, now: datetime, response_time: timedelta) -> bool:
        since = self.waiting_since
        return since is not None and now - since > response_time


class TicketsOverdue(BaseModel):
    """Signalled by intake to an order whose buyer waits too long for an
    answer; an empty list says every ticket is answered."""

    ticket_ids: list[str] = Field(default_factory=list)
    waiting_since: datetime | None = None
