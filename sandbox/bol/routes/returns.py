"""Returns: GET /retailer/returns, GET /retailer/returns/{return-id},
PUT /retailer/returns/{rma-id}."""

from sandbox.bol.gateway import ApiCall, Reply, api_route
from sandbox.bol.params import ReturnRequest, ReturnsQuery
from sandbox.bol.problems import INVALID, bad_request, not_found
from sandbox.bol.wire import ReturnsResponse, Violation


def list_returns(call: ApiCall) -> Reply:
    query = call.query_as(ReturnsQuery)
    with call.sandbox.lock:
        returns = call.sandbox.return_book.page(query, call.sandbox.config.page_size)
        # Like orders, an empty page is `{}`.
        return 200, ReturnsResponse(returns=returns).to_json() if returns else {}


def get_return(call: ApiCall) -> Reply:
    return_id = call.path_param("return-id")
    with call.sandbox.lock:
        ret = call.sandbox.return_book.get(return_id)
        if ret is None:
            raise not_found(f"Return {return_id}")
        return 200, ret.to_json()


def handle_return(call: ApiCall) -> Reply:
    rma_id = call.path_param("rma-id")
    if not rma_id.isdigit():
        # The spec types rma-id as int64.
        raise bad_request([Violation(name="rma-id", reason=f"{INVALID}: '{rma_id}'. Input should be a valid integer.")])
    request = call.body_as(ReturnRequest)
    sandbox = call.sandbox
    return 202, sandbox.start_process(
        entity_id=rma_id,
        event_type="HANDLE_RETURN_ITEM",
        description=f"Handle return item with rma id {rma_id}.",
        effect=lambda at: sandbox.return_book.handle(rma_id, request, at),
        method=call.method,
        path=call.path,
        base_url=call.base_url,
    )


routes = [
    api_route("GET", "/retailer/returns", list_returns),
    api_route("GET", "/retailer/returns/{return-id}", get_return),
    api_route("PUT", "/retailer/returns/{rma-id}", handle_return),
]
