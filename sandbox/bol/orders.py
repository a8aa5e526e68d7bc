"""Orders as the buyer places them and the seller works them off: quantities
shipped and cancelled per order item, buyers' cancellation requests, and the
change timestamps that order polling filters on."""

import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sandbox.bol.bodies import NewOrder, NewOrderItem
from sandbox.bol.buyers import buyer_for
from sandbox.bol.ids import next_id
from sandbox.bol.paging import page_of
from sandbox.bol.params import OrdersQuery
from sandbox.bol.problems import ProblemError, not_found
from sandbox.bol.wire import Order, OrderFulfilment, OrderItem, OrderOffer, OrderProduct, ReducedOrder

CENT = Decimal("0.01")
# bol's commission: a share of the price plus a fixed fee per unit.
COMMISSION_SHARE = Decimal("0.15")
COMMISSION_FIXED = Decimal("0.99")
# bol's expiryDate (when it cancels an item still unshipped) follows the
# latest delivery date by a few days; the sandbox only reports it.
EXPIRY_AFTER_DELIVERY = timedelta(days=5)
_OFFERS = uuid.UUID("4d1b7a62-0d5c-4c1f-9a35-5d0b8f3e2a10")

# The seller's offer a buyer bought, by EAN and (if the line names one)
# reference; None when the seller has no such offer in the sandbox.
OfferLookup = Callable[[str, str | None], OrderOffer | None]


def _no_offers(ean: str, reference: str | None) -> OrderOffer | None:
    return None


class OrderBook:
    def __init__(self) -> None:
        self._orders: dict[str, Order] = {}
        self._cancellations: list[dict[str, Any]] = []

    def place(self, new: NewOrder, seed: int, now: datetime, offers: OfferLookup = _no_offers) -> Order:
        order_id = new.order_id or next_id("order")
        if order_id in self._orders:
            raise ProblemError(409, "Conflict", f"Order {order_id} already exists.")
        buyer = buyer_for(seed, order_id, new.country_code, new.pickup_point)
        latest_delivery = (now + timedelta(days=new.latest_delivery_days)).date()
        order = Order(
            orderId=order_id,
            pickupPoint=new.pickup_point,
            orderPlacedDateTime=now,
            shipmentDetails=buyer.shipment,
            billingDetails=buyer.billing,
            orderItems=[
                _item(line, next_id("order_item"), latest_delivery, now, offers(line.ean, line.offer_reference))
                for line in new.items
            ],
        )
        self._orders[order_id] = order
        return order

    def get(self, order_id: str) -> Order | None:
        return self._orders.get(order_id)

    def locate(self, order_item_id: str) -> tuple[Order, OrderItem] | None:
        for order in self._orders.values():
            item = order.item(order_item_id)
            if item is not None:
                return order, item
        return None

    def open_quantity(self, ean: str, fulfilment_method: str, placed_after: datetime | None = None) -> int:
        """Units of `ean` bought and neither shipped nor cancelled yet; with
        `placed_after`, only those of orders placed after that moment."""
        return sum(
            item.open_quantity
            for order in self._orders.values()
            if placed_after is None or order.orderPlacedDateTime > placed_after
            for item in order.orderItems
            if item.product.ean == ean and item.fulfilment.method == fulfilment_method
        )

    def page(self, query: OrdersQuery, now: datetime, page_size: int) -> list[ReducedOrder]:
        found = [reduced for order in self._orders.values() if (reduced := _listed(order, query, now))]
        return page_of(found, query.page, page_size)

    def request_cancellation(self, order_id: str, order_item_ids: list[str] | None, now: datetime) -> Order:
        order = self._orders.get(order_id)
        if order is None:
            raise not_found(f"Order {order_id}")
        if order_item_ids is None:
            items = [item for item in order.orderItems if item.open_quantity > 0]
        else:
            items = [self._open_item(order, item_id) for item_id in order_item_ids]
        if not items:
            raise ProblemError(409, "Conflict", f"Order {order_id} has no open items left to cancel.")
        for item in items:
            item.cancellationRequest = True
            item.latestChangedDateTime = now
        return order

    @staticmethod
    def _open_item(order: Order, order_item_id: str) -> OrderItem:
        item = order.item(order_item_id)
        if item is None:
            raise not_found(f"Order item {order_item_id} on order {order.orderId}")
        if item.open_quantity <= 0:
            raise ProblemError(409, "Conflict", f"Order item {order_item_id} has no open quantity left to cancel.")
        return item

    def cancel(self, order_item_id: str, reason_code: str, at: datetime) -> str | None:
        located = self.locate(order_item_id)
        if located is None:
            return f"Order item {order_item_id} does not exist."
        order, item = located
        quantity = item.open_quantity
        if quantity <= 0:
            return f"Order item {order_item_id} has no open quantity left to cancel."
        item.quantityCancelled += quantity
        item.latestChangedDateTime = at
        self._cancellations.append(
            {"orderId": order.orderId, "orderItemId": order_item_id, "reasonCode": reason_code, "quantity": quantity}
        )
        return None

    def cancellations(self) -> list[dict[str, Any]]:
        return [dict(entry) for entry in self._cancellations]


def _item(
    line: NewOrderItem, order_item_id: str, latest_delivery: date, now: datetime, bought: OrderOffer | None
) -> OrderItem:
    unit_price = line.unit_price.quantize(CENT)
    total = unit_price * line.quantity
    return OrderItem(
        orderItemId=order_item_id,
        fulfilment=OrderFulfilment(
            method=line.fulfilment_method,
            distributionParty="RETAILER" if line.fulfilment_method == "FBR" else "BOL",
            latestDeliveryDate=latest_delivery,
            expiryDate=latest_delivery + EXPIRY_AFTER_DELIVERY,
        ),
        # The seller's offer when the sandbox has it; otherwise a stand-in,
        # one per EAN and reference, as a seller has on bol.
        offer=bought
        or OrderOffer(
            offerId=str(uuid.uuid5(_OFFERS, f"{line.ean}:{line.offer_reference}")), reference=line.offer_reference
        ),
        product=OrderProduct(ean=line.ean, title=line.title or f"Product {line.ean}"),
        quantity=line.quantity,
        unitPrice=unit_price,
        totalPrice=total,
        commission=(total * COMMISSION_SHARE + COMMISSION_FIXED * line.quantity).quantize(CENT),
        latestChangedDateTime=now,
    )


def _listed(order: Order, query: OrdersQuery, now: datetime) -> ReducedOrder | None:
    """The order as the list shows it — only the items of the asked fulfilment
    method — or None when the filters leave it out."""
    reduced = order.reduced()
    items = [i for i in reduced.orderItems if query.fulfilment_method in ("ALL", i.fulfilmentMethod)]
    if not items:
        return None
    if query.status == "OPEN" and not any(i.fulfilmentStatus == "OPEN" for i in items):
        return None
    if query.status == "SHIPPED" and not any(i.quantityShipped > 0 for i in items):
        return None
    if query.change_interval_minute is not None:
        since = now - timedelta(minutes=query.change_interval_minute)
        if not any(i.latestChangedDateTime >= since for i in items):
            return None
    if query.latest_change_date is not None and not any(
        i.latestChangedDateTime.date() == query.latest_change_date for i in items
    ):
        return None
    reduced.orderItems = items
    return reduced
