"""Orders: GET /retailer/orders, GET /retailer/orders/{order-id},
PUT /retailer/orders/cancellation."""

from sandbox.bol.gateway import ApiCall, Reply, api_route
from sandbox.bol.params import CancellationRequest, OrdersQuery
from sandbox.bol.problems import not_found
from sandbox.bol.wire import ReducedOrders


def list_orders(call: ApiCall) -> Reply:
    query = call.query_as(OrdersQuery)
    sandbox = call.sandbox
    with sandbox.lock:
        orders = sandbox.order_book.page(query, sandbox.now(), sandbox.config.page_size)
        # An empty page is `{}`: bol leaves out the orders key the spec calls required.
        return 200, ReducedOrders(orders=orders).to_json() if orders else {}


def get_order(call: ApiCall) -> Reply:
    order_id = call.path_param("order-id")
    with call.sandbox.lock:
        order = call.sandbox.order_book.get(order_id)
        if order is None:
            raise not_found(f"Order {order_id}")
        return 200, order.to_json()


def cancel_order_item(call: ApiCall) -> Reply:
    line = call.body_as(CancellationRequest).orderItems[0]
    sandbox = call.sandbox
    return 202, sandbox.start_process(
        entity_id=line.orderItemId,
        event_type="CANCEL_ORDER",
        description=f"Cancel order item {line.orderItemId}.",
        effect=lambda at: sandbox.order_book.cancel(line.orderItemId, line.reasonCode, at),
        method=call.method,
        path=call.path,
        base_url=call.base_url,
    )


routes = [
    api_route("GET", "/retailer/orders", list_orders),
    api_route("PUT", "/retailer/orders/cancellation", cancel_order_item),
    api_route("GET", "/retailer/orders/{order-id}", get_order),
]
