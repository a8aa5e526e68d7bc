"""Shipments: POST /retailer/shipments, GET /retailer/shipments,
GET /retailer/shipments/{shipment-id}, the seller's invoice for a
shipment: POST /retailer/shipments/invoices/{shipment-id}, and tracking
added or corrected after shipping: PUT /retailer/transports/{transport-id}."""

from datetime import datetime

from sandbox.bol.gateway import ApiCall, Reply, api_route
from sandbox.bol.invoices import invoice_part
from sandbox.bol.params import ChangeTransportRequest, ShipmentRequest, ShipmentsQuery
from sandbox.bol.problems import not_found
from sandbox.bol.wire import ShipmentsResponse


def create_shipment(call: ApiCall) -> Reply:
    request = call.body_as(ShipmentRequest)
    sandbox = call.sandbox
    item_ids = ", ".join(line.orderItemId for line in request.orderItems)
    return 202, sandbox.start_process(
        entity_id=request.orderItems[0].orderItemId,
        event_type="CREATE_SHIPMENT",
        description=f"Create shipment for order item(s) {item_ids}.",
        effect=lambda at: sandbox.shipment_book.ship(request, sandbox.order_book, at, sandbox.label_book),
        method=call.method,
        path=call.path,
        base_url=call.base_url,
    )


def list_shipments(call: ApiCall) -> Reply:
    query = call.query_as(ShipmentsQuery)
    with call.sandbox.lock:
        shipments = call.sandbox.shipment_book.page(query, call.sandbox.config.page_size)
        return 200, ShipmentsResponse(shipments=shipments).to_json()


def get_shipment(call: ApiCall) -> Reply:
    shipment_id = call.path_param("shipment-id")
    with call.sandbox.lock:
        shipment = call.sandbox.shipment_book.get(shipment_id)
        if shipment is None:
            raise not_found(f"Shipment {shipment_id}")
        return 200, shipment.to_json()


def upload_invoice(call: ApiCall) -> Reply:
    shipment_id = call.path_param("shipment-id")
    filename, content = invoice_part(call.request.headers.get("content-type", ""), call.raw_body)
    sandbox = call.sandbox
    with sandbox.lock:
        if sandbox.shipment_book.get(shipment_id) is None:
            raise not_found(f"Shipment {shipment_id}")

    def effect(at: datetime) -> str | None:
        sandbox.invoice_book.add(shipment_id, filename, len(content), at)
        return None

    return 202, sandbox.start_process(
        entity_id=shipment_id,
        event_type="UPLOAD_INVOICE",
        description=f"Upload invoice for shipment {shipment_id}.",
        effect=effect,
        method=call.method,
        path=call.path,
        base_url=call.base_url,
    )


def change_transport(call: ApiCall) -> Reply:
    transport_id = call.path_param("transport-id")
    request = call.body_as(ChangeTransportRequest)
    sandbox = call.sandbox
    return 202, sandbox.start_process(
        entity_id=transport_id,
        event_type="CHANGE_TRANSPORT",
        description=f"Change transport {transport_id}.",
        effect=lambda at: sandbox.shipment_book.change_transport(
            transport_id, request.transporterCode, request.trackAndTrace
        ),
        method=call.method,
        path=call.path,
        base_url=call.base_url,
    )


routes = [
    api_route("GET", "/retailer/shipments", list_shipments),
    api_route("POST", "/retailer/shipments", create_shipment),
    api_route("GET", "/retailer/shipments/{shipment-id}", get_shipment),
    api_route("POST", "/retailer/shipments/invoices/{shipment-id}", upload_invoice),
    api_route("PUT", "/retailer/transports/{transport-id}", change_transport),
]
