"""Shipments: what a successful CREATE_SHIPMENT process leaves behind, and
the checks that make a shipment fail as it would on bol."""

from collections import Counter
from datetime import datetime
from typing import Any

from sandbox.bol.ids import next_id
from sandbox.bol.labels import LabelBook
from sandbox.bol.orders import OrderBook
from sandbox.bol.paging import page_of
from sandbox.bol.params import ShipmentRequest, ShipmentsQuery
from sandbox.bol.wire import (
    Order,
    OrderItem,
    ReducedShipment,
    Shipment,
    ShipmentFulfilment,
    ShipmentItem,
    ShipmentOrder,
    ShipmentTransport,
    TransportEvent,
)

# What to ship: the order, and each of its items with a quantity.
Plan = tuple[Order, list[tuple[OrderItem, int]]]


class ShipmentBook:
    def __init__(self) -> None:
        self._shipments: list[Shipment] = []

    def ship(self, request: ShipmentRequest, orders: OrderBook, at: datetime, labels: LabelBook) -> str | None:
        """Records the shipment, or says why bol would refuse it (then nothing changes).
        With a shipping label, the transport is the label's."""
        label = labels.get(request.shippingLabelId) if request.shippingLabelId is not None else None
        if request.shippingLabelId is not None and label is None:
            return f"Shipping label {request.shippingLabelId} does not exist."
        if label is not None and label.used_by_shipment:
            return f"Shipping label {label.label_id} was already used for a shipment."
        plan = _plan(request, orders)
        if isinstance(plan, str):
            return plan
        order, lines = plan
        if label is not None and label.order_id != order.orderId:
            return f"Shipping label {label.label_id} belongs to another order."
        for item, quantity in lines:
            item.quantityShipped += quantity
            item.latestChangedDateTime = at
        transport = request.transport
        transporter_code = transport.transporterCode if transport else None
        track_and_trace = transport.trackAndTrace if transport else None
        if label is not None:
            label.used_by_shipment = True
            transporter_code, track_and_trace = label.product.transporter, label.track_and_trace
        self._shipments.append(
            Shipment(
                shipmentId=next_id("shipment"),
                shipmentDateTime=at,
                shipmentReference=request.shipmentReference or "",
                pickupPoint=order.pickupPoint,
                order=ShipmentOrder(orderId=order.orderId, orderPlacedDateTime=order.orderPlacedDateTime),
                shipmentDetails=order.shipmentDetails,
                billingDetails=order.billingDetails,
                shipmentItems=[_shipment_item(item, quantity) for item, quantity in lines],
                transport=ShipmentTransport(
                    transportId=next_id("transport"),
                    transporterCode=transporter_code,
                    trackAndTrace=track_and_trace,
                    shippingLabelId=request.shippingLabelId,
                    transportEvents=[TransportEvent(eventCode="PRE_ANNOUNCED", eventDateTime=at)],
                ),
            )
        )
        return None

    def change_transport(self, transport_id: str, transporter_code: str | None, track_and_trace: str) -> str | None:
        """Tracking added or corrected after shipping (CHANGE_TRANSPORT), or
        why bol would refuse it."""
        shipment = next((s for s in self._shipments if s.transport.transportId == transport_id), None)
        if shipment is None:
            return f"Transport {transport_id} does not exist."
        if transporter_code is not None:
            shipment.transport.transporterCode = transporter_code
        shipment.transport.trackAndTrace = track_and_trace
        return None

    def transport_event(self, shipment_id: str, event_code: str, at: datetime) -> Shipment | None:
        """The carrier reports on the parcel (control API: tests, demos)."""
        shipment = self.get(shipment_id)
        if shipment is not None:
            shipment.transport.transportEvents.append(TransportEvent(eventCode=event_code, eventDateTime=at))
        return shipment

    def page(self, query: ShipmentsQuery, page_size: int) -> list[ReducedShipment]:
        newest_first = self._shipments[::-1]
        if query.order_id is not None:
            # "Only valid without fulfilment-method. The default fulfilment-method is ignored."
            found = [s for s in newest_first if s.order.orderId == query.order_id]
        else:
            method = query.fulfilment_method or "FBR"
            found = [s for s in newest_first if s.shipmentItems[0].fulfilment.method == method]
        return [s.reduced() for s in page_of(found, query.page, page_size)]

    def get(self, shipment_id: str) -> Shipment | None:
        return next((s for s in self._shipments if s.shipmentId == shipment_id), None)

    def records(self) -> list[dict[str, Any]]:
        return [
            {
                "shipmentId": s.shipmentId,
                "orderId": s.order.orderId,
                "items": [{"orderItemId": i.orderItemId, "quantity": i.quantityShipped} for i in s.shipmentItems],
                "transporterCode": s.transport.transporterCode,
                "trackAndTrace": s.transport.trackAndTrace,
                "shipmentReference": s.shipmentReference or None,
                "transportEvents": [e.eventCode for e in s.transport.transportEvents],
            }
            for s in self._shipments
        ]


def _plan(request: ShipmentRequest, orders: OrderBook) -> Plan | str:
    located: dict[str, tuple[Order, OrderItem]] = {}
    for line in request.orderItems:
        found = orders.locate(line.orderItemId)
        if found is None:
            return f"Order item {line.orderItemId} does not exist."
        located[line.orderItemId] = found
    if len({order.orderId for order, _ in located.values()}) > 1:
        return "All order items of one shipment must belong to the same order."
    wanted: Counter[str] = Counter()
    for line in request.orderItems:
        wanted[line.orderItemId] += line.quantity or located[line.orderItemId][1].open_quantity
    for item_id, quantity in wanted.items():
        open_quantity = located[item_id][1].open_quantity
        if open_quantity <= 0:
            return f"Order item {item_id} has no open quantity left to ship."
        if quantity > open_quantity:
            return f"Order item {item_id}: cannot ship {quantity}, only {open_quantity} still open."
    order = next(iter(located.values()))[0]
    return order, [(located[item_id][1], quantity) for item_id, quantity in wanted.items()]


def _shipment_item(item: OrderItem, quantity: int) -> ShipmentItem:
    return ShipmentItem(
        orderItemId=item.orderItemId,
        fulfilment=ShipmentFulfilment(
            method=item.fulfilment.method,
            distributionParty=item.fulfilment.distributionParty,
            latestDeliveryDate=item.fulfilment.latestDeliveryDate,
        ),
        offer=item.offer,
        product=item.product,
        quantity=item.quantity,
        quantityShipped=quantity,
        unitPrice=item.unitPrice,
        commission=item.commission,
    )
