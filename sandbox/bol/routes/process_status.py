"""Process status (Shared API): GET /shared/process-status/{process-status-id},
GET /shared/process-status?entity-id&event-type&page, POST /shared/process-status."""

from sandbox.bol.gateway import ApiCall, Reply, api_route
from sandbox.bol.paging import page_of
from sandbox.bol.params import BulkProcessStatusRequest, ProcessStatusQuery
from sandbox.bol.problems import not_found
from sandbox.bol.wire import ProcessStatusResponse


def get_process_status(call: ApiCall) -> Reply:
    process_id = call.path_param("process-status-id")
    with call.sandbox.lock:
        process = call.sandbox.process_book.get(process_id)
        if process is None:
            raise not_found(f"Process status {process_id}")
        return 200, process.to_wire(call.base_url).to_json()


def find_process_statuses(call: ApiCall) -> Reply:
    query = call.query_as(ProcessStatusQuery)
    sandbox = call.sandbox
    with sandbox.lock:
        found = sandbox.process_book.for_entity(query.entity_id, query.event_type)
        page = page_of(found, query.page, sandbox.config.page_size)
        statuses = [process.to_wire(call.base_url) for process in page]
        return 200, ProcessStatusResponse(processStatuses=statuses).to_json()


def bulk_process_statuses(call: ApiCall) -> Reply:
    request = call.body_as(BulkProcessStatusRequest)
    with call.sandbox.lock:
        book = call.sandbox.process_book
        # Unknown (or purged) ids are left out, not reported.
        found = [book.get(query.processStatusId) for query in request.processStatusQueries]
        statuses = [process.to_wire(call.base_url) for process in found if process is not None]
        return 200, ProcessStatusResponse(processStatuses=statuses).to_json()


routes = [
    api_route("GET", "/shared/process-status", find_process_statuses),
    api_route("POST", "/shared/process-status", bulk_process_statuses),
    api_route("GET", "/shared/process-status/{process-status-id}", get_process_status),
]
