"""Shipping labels bought through bol (Retailer v10 "Shipping Labels"):
delivery options per shippable configuration, labels created by an
asynchronous CREATE_SHIPPING_LABEL process, each label a PDF with its
transporter and track-and-trace, usable once for a shipment."""

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from sandbox.bol.orders import OrderBook
from sandbox.bol.params import ShipmentOrderItem
from sandbox.bol.wire import Order


@dataclass(frozen=True)
class Product:
    """One label product bol sells; `transit_days` decides whether it
    meets the buyer's promised delivery date."""

    transporter: str
    label_type: str
    name: str
    price: float
    transit_days: int
    max_weight: str
    max_dimensions: str


PRODUCTS = (
    Product("TNT", "MAILBOX", "PostNL & bol.com - Brievenbuspakje", 2.88, 2, "2 kg", "38 x 26.5 x 3.2 cm"),
    Product("DHL", "PARCEL", "DHL & bol.com - Pakket", 4.29, 1, "23 kg", "100 x 50 x 50 cm"),
    Product("TNT", "PARCEL", "PostNL & bol.com - Pakket", 4.65, 1, "23 kg", "100 x 50 x 50 cm"),
)


@dataclass
class Label:
    label_id: str
    order_id: str
    items: list[tuple[str, int | None]]
    product: Product
    track_and_trace: str
    used_by_shipment: bool = False

    def pdf(self) -> bytes:
        text = f"{self.product.name} {self.track_and_trace} order {self.order_id}"
        return (
            b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% " + text.encode() + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
        )


class LabelBook:
    def __init__(self) -> None:
        self._offers: dict[str, tuple[str, Product]] = {}  # shippingLabelOfferId -> (order id, product)
        self._labels: dict[str, Label] = {}
        self._serial = 0

    def options(self, items: list[ShipmentOrderItem], orders: OrderBook, now: datetime) -> list[dict[str, Any]] | str:
        order = _order_of(items, orders)
        if isinstance(order, str):
            return order
        latest = min(item.fulfilment.latestDeliveryDate for item in order.orderItems if item.open_quantity > 0)
        options = []
        for product in PRODUCTS:
            offer_id = str(uuid.uuid4())
            self._offers[offer_id] = (order.orderId, product)
            handover = datetime.combine(latest - timedelta(days=product.transit_days), time(23, 59), now.tzinfo)
            options.append(
                {
                    "shippingLabelOfferId": offer_id,
                    "recommended": product is PRODUCTS[1],
                    "validUntilDate": (now + timedelta(days=1)).date().isoformat(),
                    "transporterCode": product.transporter,
                    "labelType": product.label_type,
                    "labelDisplayName": product.name,
                    "labelPrice": {"totalPrice": product.price},
                    "packageRestrictions": {"maxWeight": product.max_weight, "maxDimensions": product.max_dimensions},
                    "handoverDetails": {
                        "meetsCustomerExpectation": now <= handover,
                        "earliestHandoverDateTime": now.isoformat(),
                        "latestHandoverDateTime": handover.isoformat(),
                        "collectionMethod": "DROP_OFF",
                    },
                }
            )
        return options

    def create(self, label_id: str, items: list[ShipmentOrderItem], offer_id: str, orders: OrderBook) -> str | None:
        """Creates the label, or says why bol would refuse it."""
        order = _order_of(items, orders)
        if isinstance(order, str):
            return order
        offer = self._offers.get(offer_id)
        if offer is None or offer[0] != order.orderId:
            return f"Shipping label offer {offer_id} is not valid for these order items."
        self._serial += 1
        self._labels[label_id] = Label(
            label_id=label_id,
            order_id=order.orderId,
            items=[(item.orderItemId, item.quantity) for item in items],
            product=offer[1],
            track_and_trace=f"3SBOL{self._serial:010d}",
        )
        return None

    def get(self, label_id: str) -> Label | None:
        return self._labels.get(label_id)

    def records(self) -> list[dict[str, Any]]:
        return [
            {
                "shippingLabelId": label.label_id,
                "orderId": label.order_id,
                "transporterCode": label.product.transporter,
                "trackAndTrace": label.track_and_trace,
                "price": label.product.price,
                "usedByShipment": label.used_by_shipment,
            }
            for label in self._labels.values()
        ]


def _order_of(items: list[ShipmentOrderItem], orders: OrderBook) -> Order | str:
    found = []
    for line in items:
        located = orders.locate(line.orderItemId)
        if located is None:
            return f"Order item {line.orderItemId} does not exist."
        order, item = located
        if item.open_quantity <= 0:
            return f"Order item {line.orderItemId} has no open quantity left to ship."
        found.append(order)
    if len({order.orderId for order in found}) > 1:
        return "All order items of one shipping label must belong to the same order."
    return found[0]
