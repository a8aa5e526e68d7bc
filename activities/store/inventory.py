"""The inventory store: catalog, stock, reservations per order line.

Every write is idempotent per business key (line, return), because the
activities that call it are retried."""

from contextlib import nullcontext
from decimal import Decimal

from pydantic import BaseModel
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from activities.store.engine import Database
from activities.store.tables import (
    ProductRow,
    Reservation,
    ReservationState,
    ReturnHandled,
    StockChange,
    StockLevel,
    utcnow,
)
from domain.catalog import Product
from domain.ean import normalise_ean
from domain.offers.condition import OfferCondition


class Stock(BaseModel):
    sku: str
    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        return max(0, self.on_hand - self.reserved)


class UnknownProduct(LookupError):
    def __str__(self) -> str:
        return f"unknown SKU {self.args[0]!r}"


class StockRejected(ValueError):
    """A stock change the store refuses as asked: retrying it cannot help."""


class InventoryStore:
    def __init__(self, db: Database):
        self.db = db
        self.session = db.session
        self.reading = db.reading

    # Catalog.

    def upsert_product(self, info: Product) -> Product:
        ean = normalise_ean(info.ean)
        with self.session() as s, s.begin():
            product = s.get(ProductRow, info.sku) or ProductRow(sku=info.sku, ean=ean)
            product.ean = ean
            product.title = info.title
            product.brand = info.brand
            product.category = info.category
            product.condition = info.condition.value
            product.cost_price = info.cost_price
            product.list_price = info.list_price
            s.add(product)
            if s.get(StockLevel, info.sku) is None:
                s.add(StockLevel(sku=info.sku))
        return info.model_copy(update={"ean": ean})

    def product_by_ean(self, ean: str, s: Session | None = None) -> Product | None:
        """`s`: the caller's session, to read within its transaction."""
        try:
            ean = normalise_ean(ean)
        except ValueError:
            return None
        with nullcontext(s) if s is not None else self.reading() as s:
            product = s.exec(select(ProductRow).where(ProductRow.ean == ean)).first()
            return Product.model_validate(product, from_attributes=True) if product else None

    def product_by_sku(self, sku: str, s: Session | None = None) -> Product | None:
        with nullcontext(s) if s is not None else self.reading() as s:
            product = s.get(ProductRow, sku)
            return Product.model_validate(product, from_attributes=True) if product else None

    def products(self) -> list[Product]:
        with self.reading() as s:
            return [Product.model_validate(p, from_attributes=True) for p in s.exec(select(ProductRow))]

    def catalog_items(self, skus: list[str] | None = None) -> list[Product]:
        """Products with their available stock, as the feed rules read them."""
        with self.reading() as s:
            query = select(ProductRow, StockLevel).join(StockLevel, col(StockLevel.sku) == ProductRow.sku)
            if skus is not None:
                query = query.where(col(ProductRow.sku).in_(skus))
            return [
                Product(
                    sku=product.sku,
                    ean=product.ean,
                    title=product.title,
                    brand=product.brand,
                    category=product.category,
                    condition=OfferCondition(product.condition),
                    cost_price=product.cost_price,
                    list_price=product.list_price,
                    available=max(0, level.on_hand - level.reserved),
                )
                for product, level in s.exec(query)
            ]

    # Stock.

    def stock(self, sku: str) -> Stock:
        with self.reading() as s:
            return self._stock_in(s, sku)

    @staticmethod
    def _stock_in(s: Session, sku: str) -> Stock:
        level = s.get(StockLevel, sku)
        if level is None:
            raise UnknownProduct(sku)
        return Stock(sku=sku, on_hand=level.on_hand, reserved=level.reserved)

    def set_stock(self, sku: str, on_hand: int, *, request_id: str | None = None) -> Stock:
        """`request_id` makes the change happen once: a repeat returns the
        stock as it is now and changes nothing."""
        if on_hand < 0:
            raise StockRejected(f"stock on hand cannot be negative: {on_hand}")
        return self._change_on_hand(sku, on_hand, request_id, "set", on_hand)

    def adjust_stock(self, sku: str, delta: int, *, request_id: str | None = None) -> Stock:
        return self._change_on_hand(sku, col(StockLevel.on_hand) + delta, request_id, "adjust", delta)

    def _change_on_hand(
        self, sku: str, expression: int | ColumnElement[int], request_id: str | None, kind: str, quantity: int
    ) -> Stock:
        try:
            with self.session() as s, s.begin():
                if request_id is not None:
                    if s.get(StockChange, request_id) is not None:
                        return self._stock_in(s, sku)
                    # Written first: a concurrent repeat waits on this key, then fails on it.
                    s.add(StockChange(request_id=request_id, sku=sku, kind=kind, quantity=quantity))
                    s.flush()
                result = s.exec(
                    update(StockLevel)
                    .where(col(StockLevel.sku) == sku)
                    .values(on_hand=expression, updated_at=utcnow())
                    .returning(col(StockLevel.on_hand), col(StockLevel.reserved))
                ).first()
                if result is None:
                    raise UnknownProduct(sku)
                on_hand, reserved = result
                if on_hand < 0:
                    raise StockRejected(
                        f"stock of {sku} would drop below zero ({on_hand - quantity} on hand, {quantity:+d})"
                    )
                return Stock(sku=sku, on_hand=on_hand, reserved=reserved)
        except IntegrityError:
            if request_id is None or self._change_recorded(request_id) is None:
                raise
            return self.stock(sku)

    def _change_recorded(self, request_id: str) -> StockChange | None:
        with self.session() as s:
            return s.get(StockChange, request_id)

    # Reservations.

    def reserve(self, line_key: str, sku: str, quantity: int, *, channel: str, order_id: str, line_id: str) -> bool:
        """Reserve `quantity` units for one order line, all or nothing.

        The conditional UPDATE is the whole concurrency story: the database
        applies it atomically per row (PostgreSQL re-checks the condition
        after waiting for a concurrent writer), so two lines can never both
        take the last unit."""
        try:
            with self.session() as s, s.begin():
                return self.reserve_in(s, line_key, sku, quantity, channel=channel, order_id=order_id, line_id=line_id)
        except IntegrityError:
            # A concurrent attempt for the same line won; its row decides, and
            # our rollback undid our stock change.
            existing = self.reservation(line_key)
            return existing is not None and existing.quantity_released == 0

    @staticmethod
    def reserve_in(
        s: Session, line_key: str, sku: str, quantity: int, *, channel: str, order_id: str, line_id: str
    ) -> bool:
        """reserve within the caller's transaction. A concurrent reservation
        of the same line fails the caller's commit (IntegrityError): the
        caller tries again, and then finds it."""
        existing = s.exec(select(Reservation).where(Reservation.line_key == line_key)).first()
        if existing is not None:
            return existing.quantity_released == 0
        taken = s.exec(
            update(StockLevel)
            .where(col(StockLevel.sku) == sku, col(StockLevel.on_hand) - col(StockLevel.reserved) >= quantity)
            .values(reserved=StockLevel.reserved + quantity, updated_at=utcnow())
        ).rowcount
        if taken != 1:
            return False
        s.add(
            Reservation(
                line_key=line_key,
                channel=channel,
                marketplace_order_id=order_id,
                line_id=line_id,
                sku=sku,
                quantity=quantity,
            )
        )
        return True

    def reservation(self, line_key: str) -> Reservation | None:
        with self.reading() as s:
            return s.exec(select(Reservation).where(Reservation.line_key == line_key)).first()

    def release(self, line_key: str) -> int:
        """Give back every unit of the line that was reserved and not shipped.
        Returns how many units became available."""
        with self.session() as s, s.begin():
            res = s.exec(select(Reservation).where(Reservation.line_key == line_key).with_for_update()).first()
            if res is None:
                return 0
            delta = res.quantity - res.quantity_shipped - res.quantity_released
            if delta <= 0:
                return 0
            s.exec(
                update(StockLevel)
                .where(col(StockLevel.sku) == res.sku)
                .values(reserved=StockLevel.reserved - delta, updated_at=utcnow())
            )
            res.quantity_released += delta
            res.state = ReservationState.RELEASED if res.quantity_shipped == 0 else ReservationState.SHIPPED
            res.updated_at = utcnow()
            s.add(res)
            return delta

    def reservations(self, channel: str | None = None) -> list[Reservation]:
        with self.reading() as s:
            query = select(Reservation)
            if channel:
                query = query.where(Reservation.channel == channel)
            return list(s.exec(query))

    # Returns.

    def record_return(
        self,
        *,
        rma_id: str,
        channel: str,
        line_key: str,
        sku: str | None,
        quantity: int,
        handling: str,
        restock: bool,
        refund: Decimal | None,
    ) -> bool:
        """Record a handled return and put resellable units back on the shelf,
        in one transaction and once per return. False when already recorded."""
        try:
            with self.session() as s, s.begin():
                if s.get(ReturnHandled, rma_id) is not None:
                    return False
                restocked = bool(restock and sku)
                if restocked:
                    s.exec(
                        update(StockLevel)
                        .where(col(StockLevel.sku) == sku)
                        .values(on_hand=StockLevel.on_hand + quantity, updated_at=utcnow())
                    )
                s.add(
                    ReturnHandled(
                        rma_id=rma_id,
                        channel=channel,
                        line_key=line_key,
                        sku=sku,
                        quantity=quantity,
                        handling=handling,
                        restocked=restocked,
                        refund=refund,
                    )
                )
        except IntegrityError:
            return False
        return True

    def handled_return(self, rma_id: str) -> ReturnHandled | None:
        with self.reading() as s:
            return s.get(ReturnHandled, rma_id)


def take_off_shelf(s: Session, line_key: str, total_shipped: int) -> None:
    """In the caller's transaction: the line has `total_shipped` units
    shipped in all; those not taken off the shelf yet leave it now."""
    res = s.exec(select(Reservation).where(Reservation.line_key == line_key).with_for_update()).first()
    if res is None:
        return
    delta = min(total_shipped, res.quantity - res.quantity_released) - res.quantity_shipped
    if delta <= 0:
        return
    s.exec(
        update(StockLevel)
        .where(col(StockLevel.sku) == res.sku)
        .values(
            on_hand=StockLevel.on_hand - delta,
            reserved=StockLevel.reserved - delta,
            updated_at=utcnow(),
        )
    )
    res.quantity_shipped += delta
    if res.quantity_shipped + res.quantity_released >= res.quantity:
        res.state = ReservationState.SHIPPED
    res.updated_at = utcnow()
    s.add(res)
