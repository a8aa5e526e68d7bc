"""Shipments: POST /retailer/shipments, GET /retailer/shipments,
GET /retailer/shipments/{shipment-id}."""

from sandbox.bol.gateway import ApiCall, Reply, api_route
from sandbox.bol.params import ShipmentRequest, ShipmentsQuery
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
        effect=lambda at: sandbox.shipment_book.ship(request, sandbox.order_book, at),
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


routes = [
    api_route("GET", "/retailer/shipments", list_shipments),
    api_route("POST", "/retailer/shipments", create_shipment),
    api_route("GET", "/retailer/shipments/{shipment-id}", get_shipment),
]
