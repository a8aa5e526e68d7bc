"""Shipping labels: POST /retailer/shipping-labels/delivery-options,
POST /retailer/shipping-labels (asynchronous, CREATE_SHIPPING_LABEL) and
GET /retailer/shipping-labels/{shipping-label-id} (the PDF, with its
transporter and track-and-trace as headers)."""

import uuid
from datetime import datetime

from sandbox.bol.gateway import PDF_MEDIA_TYPE, ApiCall, Document, Reply, api_route
from sandbox.bol.params import DeliveryOptionsRequest, ShippingLabelRequest
from sandbox.bol.problems import ProblemError, not_found


def delivery_options(call: ApiCall) -> Reply:
    request = call.body_as(DeliveryOptionsRequest)
    sandbox = call.sandbox
    with sandbox.lock:
        options = sandbox.label_book.options(request.orderItems, sandbox.order_book, sandbox.now())
    if isinstance(options, str):
        raise ProblemError(400, "Bad Request", options)
    return 200, {"deliveryOptions": options}


def create_label(call: ApiCall) -> Reply:
    request = call.body_as(ShippingLabelRequest)
    sandbox = call.sandbox
    label_id = str(uuid.uuid4())
    item_ids = ", ".join(line.orderItemId for line in request.orderItems)

    def effect(_: datetime) -> str | None:
        return sandbox.label_book.create(label_id, request.orderItems, request.shippingLabelOfferId, sandbox.order_book)

    return 202, sandbox.start_process(
        entity_id=label_id,
        event_type="CREATE_SHIPPING_LABEL",
        description=f"Create shipping label for order item(s) {item_ids}.",
        effect=effect,
        method=call.method,
        path=call.path,
        base_url=call.base_url,
        entity_on_success=True,
    )


def get_label(call: ApiCall) -> Reply:
    label_id = call.path_param("shipping-label-id")
    with call.sandbox.lock:
        label = call.sandbox.label_book.get(label_id)
        if label is None:
            raise not_found(f"Shipping label {label_id}")
        headers = {"X-Track-And-Trace-Code": label.track_and_trace, "X-Transporter-Code": label.product.transporter}
        return 200, Document(label.pdf(), headers)


routes = [
    api_route("POST", "/retailer/shipping-labels/delivery-options", delivery_options),
    api_route("POST", "/retailer/shipping-labels", create_label),
    api_route("GET", "/retailer/shipping-labels/{shipping-label-id}", get_label, media_type=PDF_MEDIA_TYPE),
]
