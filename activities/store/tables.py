"""Tables of the inventory store."""

from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, Column, LargeBinary, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class ProductRow(SQLModel, table=True):
    __tablename__ = "product"

    sku: str = Field(primary_key=True, max_length=64)
    ean: str = Field(index=True, unique=True, max_length=14)
    title: str = ""
    brand: str | None = None
    category: str | None = None
    # A server default, so the column can be added to a store created before it (see migrate.py).
    condition: str = Field(default="NEW", max_length=16, sa_column_kwargs={"server_default": "NEW"})
    cost_price: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2)))
    list_price: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2)))


class StockLevel(SQLModel, table=True):
    """on_hand counts units in the warehouse; reserved counts units promised
    to open order lines. Available = on_hand - reserved, never below zero."""

    sku: str = Field(primary_key=True, foreign_key="product.sku", max_length=64)
    on_hand: int = 0
    reserved: int = 0
    updated_at: datetime = Field(default_factory=utcnow)


class ReservationState(StrEnum):
    RESERVED = "RESERVED"
    SHIPPED = "SHIPPED"
    RELEASED = "RELEASED"


class Reservation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # Unique per order line: a retried reservation finds this row and does nothing.
    line_key: str = Field(unique=True, max_length=255)
    channel: str = Field(index=True, max_length=64)
    marketplace_order_id: str = Field(max_length=64)
    line_id: str = Field(max_length=64)
    sku: str = Field(foreign_key="product.sku", index=True, max_length=64)
    quantity: int
    quantity_shipped: int = 0
    quantity_released: int = 0
    state: ReservationState = ReservationState.RESERVED
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class OrderRecord(SQLModel, table=True):
    """The order as received, buyer's address included: it lives here so
    workflows never carry personal data."""

    __table_args__ = (UniqueConstraint("channel", "marketplace_order_id"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(index=True, max_length=64)
    marketplace_order_id: str = Field(max_length=64)
    placed_at: datetime
    received_at: datetime = Field(default_factory=utcnow, index=True)
    payload: dict = Field(sa_column=Column(JSON))


class InvoiceOnFile(SQLModel, table=True):
    """The seller's invoice the marketplace took for an order (the file stays
    with the seller and the marketplace; this records that it was sent)."""

    __tablename__ = "invoice_on_file"
    channel: str = Field(primary_key=True, max_length=64)
    marketplace_order_id: str = Field(primary_key=True, max_length=64)
    filename: str = Field(max_length=255)
    references: list = Field(default_factory=list, sa_column=Column(JSON))
    uploaded_at: datetime = Field(default_factory=utcnow)


class Cancellation(SQLModel, table=True):
    line_key: str = Field(primary_key=True, max_length=255)
    channel: str = Field(index=True, max_length=64)
    reason: str = Field(max_length=64)
    seller_fault: bool
    quantity: int
    at: datetime = Field(default_factory=utcnow, index=True)


class ReturnHandled(SQLModel, table=True):
    """One row per handled return: makes restock and refund happen once."""

    rma_id: str = Field(primary_key=True, max_length=64)
    channel: str = Field(index=True, max_length=64)
    line_key: str = Field(max_length=255)
    sku: str | None = Field(default=None, max_length=64)
    quantity: int
    handling: str = Field(max_length=64)
    restocked: bool
    refund: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2)))
    at: datetime = Field(default_factory=utcnow)


class ChannelOfferRow(SQLModel, table=True):
    """Per channel and SKU: the offer as the channel last accepted it, and
    what we last asked for (so an unchanged rejected offer is not re-sent)."""

    __tablename__ = "channel_offer"
    channel: str = Field(primary_key=True, max_length=64)
    sku: str = Field(primary_key=True, max_length=64)
    offer_id: str | None = Field(default=None, max_length=64)
    price: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2)))
    stock: int | None = None
    delivery_code: str | None = Field(default=None, max_length=32)
    on_hold: bool = False
    state: str = Field(default="PENDING", max_length=16)
    rejection_reasons: list = Field(default_factory=list, sa_column=Column(JSON))
    not_publishable_reasons: list = Field(default_factory=list, sa_column=Column(JSON))
    desired: dict | None = Field(default=None, sa_column=Column(JSON))
    # An update the channel is still processing (domain InFlight), and since
    # when: the offer sync's follow finds them by the index.
    in_flight: dict | None = Field(default=None, sa_column=Column(JSON(none_as_null=True)))
    in_flight_at: datetime | None = Field(default=None, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


class OfferChangeRow(SQLModel, table=True):
    """A SKU whose offer on a channel may need an update, waiting for that
    channel's next sync round (activities/store/offer_changes.py). The row
    goes once a round has sent what it asked for."""

    __tablename__ = "offer_change"
    # SQLite would otherwise give a new row a deleted row's id: a late delete
    # of a sent row (a retry, a zombie attempt) must never hit a newer change.
    __table_args__ = {"sqlite_autoincrement": True}
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(index=True, max_length=64)
    sku: str = Field(max_length=64)
    changed_at: datetime


class OfferListenerRow(SQLModel, table=True):
    """A channel's sync round that takes changes from the offer_change rows
    as they come, and until when: meanwhile nobody signals its workflow."""

    __tablename__ = "offer_listener"
    channel: str = Field(primary_key=True, max_length=64)
    until: datetime | None = None


class StockChange(SQLModel, table=True):
    """One row per applied stock change from outside, written in the same
    transaction as the change: a retried change finds its row and does
    nothing. Also the record of who changed stock, and when."""

    __tablename__ = "stock_change"
    request_id: str = Field(primary_key=True, max_length=255)
    sku: str = Field(index=True, max_length=64)
    kind: str = Field(max_length=16)
    quantity: int
    at: datetime = Field(default_factory=utcnow)


class StagedStockRow(SQLModel, table=True):
    """A CSV row staged for an import, until the import is applied at once."""

    __tablename__ = "stock_import_row"
    import_id: str = Field(primary_key=True, max_length=64)
    line: int = Field(primary_key=True)
    sku: str = Field(max_length=255)
    on_hand: int
    staged_at: datetime = Field(default_factory=utcnow, index=True)


class StockImportDone(SQLModel, table=True):
    """An applied (or refused) import and its outcome, so a retried apply answers the same."""

    __tablename__ = "stock_import"
    import_id: str = Field(primary_key=True, max_length=64)
    outcome: dict = Field(sa_column=Column(JSON))
    at: datetime = Field(default_factory=utcnow)


class WarehouseDelivery(SQLModel, table=True):
    """An order version for the warehouse, kept until it is acknowledged (and
    after, so it is never sent again). The body is kept as first sent: every
    retry sends the same bytes."""

    __tablename__ = "warehouse_delivery"

    idempotency_key: str = Field(primary_key=True, max_length=255)
    body: str
    created_at: datetime = Field(default_factory=utcnow)
    acknowledged_at: datetime | None = None


class AlertRow(SQLModel, table=True):
    """An open alert (domain.alerts.model.OpenAlert), kept here rather than in
    a workflow's state: the evaluation runs as short scheduled workflows, and
    `ordertide alerts` reads the open ones without a worker. A resolved
    alert's row is deleted."""

    __tablename__ = "alert"
    key: str = Field(primary_key=True, max_length=255)
    channel: str | None = Field(default=None, index=True, max_length=64)
    payload: dict = Field(sa_column=Column(JSON))


class AlertDeliveryRow(SQLModel, table=True):
    """One alert message for one sink, written with the alert's transition
    (the same transaction): a retried or rerun evaluation finds the messages
    of a transition already made and sends the undelivered ones, and a
    message marked delivered is never sent again."""

    __tablename__ = "alert_delivery"
    message_id: str = Field(primary_key=True, max_length=64)
    sink: str = Field(primary_key=True, max_length=255)
    payload: dict = Field(sa_column=Column(JSON))
    created_at: datetime = Field(default_factory=utcnow, index=True)
    delivered_at: datetime | None = None


class ImportFailureRow(SQLModel, table=True):
    """The last import of a file (stock CSV, catalog) that failed; a later
    successful import of the same kind and name deletes it."""

    __tablename__ = "import_failure"
    kind: str = Field(primary_key=True, max_length=32)
    name: str = Field(primary_key=True, max_length=255)
    import_id: str = Field(max_length=64)
    message: str
    at: datetime = Field(default_factory=utcnow)


class SupplierInboxRow(SQLModel, table=True):
    """A supplier portal order as first delivered, by any transport (API,
    webhook, file, mail). The key is the channel and the portal's order
    number, so a second delivery finds this row; the order is kept here
    (personal data included, like the ledger) until its workflow reads it."""

    __tablename__ = "supplier_inbox"

    channel: str = Field(primary_key=True, max_length=64)
    order_number: str = Field(primary_key=True, max_length=64)
    body: str  # the portal order as JSON, the first delivery's
    content_hash: str = Field(max_length=64)
    via: str = Field(max_length=16)
    deliveries: int = 1
    received_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = Field(default=None, index=True)


class ShipmentInFlight(SQLModel, table=True):
    """A shipment sent to the marketplace whose final status is not known yet.
    Orders publish no SHIPPING status (issue 12: a status ops rarely act on
    costs an upsert per order), so the alerts find waiting shipments here."""

    __tablename__ = "shipment_in_flight"
    channel: str = Field(primary_key=True, max_length=64)
    marketplace_order_id: str = Field(primary_key=True, max_length=64)
    workflow_id: str = Field(max_length=255)
    since: datetime = Field(default_factory=utcnow, index=True)


class ShippingLabelRow(SQLModel, table=True):
    """A label bought from the marketplace for an order's shipment. The row
    is written when the marketplace accepts the purchase (process id only),
    so a retried ship step follows that purchase instead of buying again."""

    __tablename__ = "shipping_label"
    channel: str = Field(primary_key=True, max_length=64)
    marketplace_order_id: str = Field(primary_key=True, max_length=64)
    process_id: str | None = Field(default=None, max_length=64)
    label_id: str | None = Field(default=None, max_length=64)
    transporter_code: str | None = Field(default=None, max_length=64)
    track_and_trace: str | None = Field(default=None, max_length=128)
    name: str = Field(default="", max_length=255)
    price: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2)))
    pdf: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    bought_at: datetime = Field(default_factory=utcnow)
    # A shipment went out with it.
    used: bool = False
    # Set when the order was cancelled after buying: what happened to the label.
    voided: str | None = Field(default=None, max_length=255)
