"""The order ledger: orders as received, cancellations, handled returns.
It feeds `ordertide health` and keeps personal data out of workflows."""

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from activities.store.engine import Database
from activities.store.tables import Cancellation, InvoiceOnFile, OrderRecord
from domain.ids import parse_line_key
from domain.order.aftersales import InvoiceReceipt
from domain.order.marketplace import Order


class OrderLedger:
    def __init__(self, db: Database):
        self.session = db.session
        self.reading = db.reading

    def save_order(self, order: Order) -> None:
        """Insert once; a re-fetched order refreshes the stored copy."""
        with self.session() as s, s.begin():
            self.keep(s, order)

    @staticmethod
    def keep(s: Session, order: Order) -> None:
        """save_order within the caller's transaction (accepting an order
        keeps it and reserves its lines in one)."""
        payload = order.model_dump(mode="json")
        record = s.exec(
            select(OrderRecord).where(
                OrderRecord.channel == order.channel,
                OrderRecord.marketplace_order_id == order.marketplace_order_id,
            )
        ).first()
        if record is None:
            record = OrderRecord(
                channel=order.channel,
                marketplace_order_id=order.marketplace_order_id,
                placed_at=order.placed_at,
                payload=payload,
            )
        else:
            record.payload = payload
        s.add(record)

    def order(self, channel: str, marketplace_order_id: str) -> Order | None:
        with self.reading() as s:
            record = s.exec(
                select(OrderRecord).where(
                    OrderRecord.channel == channel, OrderRecord.marketplace_order_id == marketplace_order_id
                )
            ).first()
            return Order.model_validate(record.payload) if record else None

    def count_orders(self, channel: str, since: datetime) -> int:
        with self.reading() as s:
            return s.exec(
                select(func.count()).where(OrderRecord.channel == channel, OrderRecord.received_at >= since)
            ).one()

    def record_invoice(self, receipt: InvoiceReceipt) -> None:
        """The latest upload wins: marketplaces replace an order's invoice too."""
        with self.session() as s, s.begin():
            row = s.get(InvoiceOnFile, (receipt.channel, receipt.marketplace_order_id))
            if row is None:
                row = InvoiceOnFile(
                    channel=receipt.channel, marketplace_order_id=receipt.marketplace_order_id, filename=""
                )
            row.filename = receipt.filename
            row.references = list(receipt.references)
            row.uploaded_at = receipt.uploaded_at
            s.add(row)

    def invoice(self, channel: str, marketplace_order_id: str) -> InvoiceReceipt | None:
        with self.reading() as s:
            row = s.get(InvoiceOnFile, (channel, marketplace_order_id))
            if row is None:
                return None
            return InvoiceReceipt(
                channel=row.channel,
                marketplace_order_id=row.marketplace_order_id,
                filename=row.filename,
                uploaded_at=row.uploaded_at,
                references=list(row.references),
            )

    def record_cancellation(self, line_key: str, channel: str, reason: str, seller_fault: bool, quantity: int) -> None:
        try:
            with self.session() as s, s.begin():
                if s.get(Cancellation, line_key) is None:
                    s.add(
                        Cancellation(
                            line_key=line_key,
                            channel=channel,
                            reason=reason,
                            seller_fault=seller_fault,
                            quantity=quantity,
                        )
                    )
        except IntegrityError:
            pass  # recorded by a concurrent attempt

    def cancellations(self, channel: str, since: datetime) -> list[Cancellation]:
        with self.reading() as s:
            return list(s.exec(select(Cancellation).where(Cancellation.channel == channel, Cancellation.at >= since)))

    def order_lines_since(self, channel: str, since: datetime) -> int:
        with self.reading() as s:
            payloads = s.exec(
                select(OrderRecord.payload).where(OrderRecord.channel == channel, OrderRecord.received_at >= since)
            )
            return sum(len(payload.get("lines", [])) for payload in payloads)

    def order_times(self, channel: str, since: datetime) -> list[datetime]:
        """When each order since `since` arrived (for the usual hour-of-week flow)."""
        with self.reading() as s:
            return list(
                s.exec(
                    select(OrderRecord.received_at).where(
                        OrderRecord.channel == channel, OrderRecord.received_at >= since
                    )
                )
            )

    def seller_fault_orders(self, channel: str, since: datetime) -> set[str]:
        """Marketplace order ids with a seller-fault cancellation since
        `since`: marketplaces count orders, however many lines were cancelled."""
        return {parse_line_key(c.line_key)[1] for c in self.cancellations(channel, since) if c.seller_fault}
