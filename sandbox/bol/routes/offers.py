"""Offers: POST /retailer/offers, GET, PUT and DELETE /retailer/offers/{offer-id},
PUT /retailer/offers/{offer-id}/price and /stock, POST /retailer/offers/export
and GET /retailer/offers/export/{report-id} (CSV)."""

from sandbox.bol.gateway import CSV_MEDIA_TYPE, ApiCall, Reply, api_route
from sandbox.bol.ids import next_id
from sandbox.bol.offers import new_offer_id
from sandbox.bol.params import (
    CreateOfferExportRequest,
    CreateOfferRequest,
    UpdateOfferPriceRequest,
    UpdateOfferRequest,
    UpdateOfferStockRequest,
)
from sandbox.bol.problems import not_found
from sandbox.bol.processes import Effect


def create_offer(call: ApiCall) -> Reply:
    request = call.body_as(CreateOfferRequest)
    sandbox = call.sandbox
    # Chosen now, shown once the offer exists.
    offer_id = new_offer_id()
    return _accepted(
        call,
        offer_id,
        "CREATE_OFFER",
        f"Create offer for EAN {request.ean}.",
        effect=lambda at: sandbox.offer_book.create(offer_id, request, at),
        created=True,
    )


def get_offer(call: ApiCall) -> Reply:
    offer_id = call.path_param("offer-id")
    sandbox = call.sandbox
    with sandbox.lock:
        offer = sandbox.offer_book.get(offer_id)
        if offer is None:
            raise not_found(f"Offer {offer_id}")
        return 200, sandbox.offer_book.shown(offer, sandbox.order_book, sandbox.config.unpublishable_eans).to_json()


def update_offer(call: ApiCall) -> Reply:
    offer_id = call.path_param("offer-id")
    request = call.body_as(UpdateOfferRequest)
    sandbox = call.sandbox
    return _accepted(
        call,
        offer_id,
        "UPDATE_OFFER",
        f"Update offer {offer_id}.",
        effect=lambda at: sandbox.offer_book.update(offer_id, request, at),
    )


def delete_offer(call: ApiCall) -> Reply:
    offer_id = call.path_param("offer-id")
    sandbox = call.sandbox
    return _accepted(
        call,
        offer_id,
        "DELETE_OFFER",
        f"Delete offer {offer_id}.",
        effect=lambda at: sandbox.offer_book.delete(offer_id, at),
    )


def update_price(call: ApiCall) -> Reply:
    offer_id = call.path_param("offer-id")
    pricing = call.body_as(UpdateOfferPriceRequest).pricing
    sandbox = call.sandbox
    return _accepted(
        call,
        offer_id,
        "UPDATE_OFFER_PRICE",
        f"Update price of offer {offer_id}.",
        effect=lambda at: sandbox.offer_book.reprice(offer_id, pricing, at),
    )


def update_stock(call: ApiCall) -> Reply:
    offer_id = call.path_param("offer-id")
    stock = call.body_as(UpdateOfferStockRequest)
    sandbox = call.sandbox
    return _accepted(
        call,
        offer_id,
        "UPDATE_OFFER_STOCK",
        f"Update stock of offer {offer_id}.",
        effect=lambda at: sandbox.offer_book.restock(offer_id, stock, at),
    )


def request_export(call: ApiCall) -> Reply:
    call.body_as(CreateOfferExportRequest)
    sandbox = call.sandbox
    report_id = next_id("offer_export")
    return _accepted(
        call,
        report_id,
        "CREATE_OFFER_EXPORT",
        "Create offer export.",
        # The snapshot is taken when the process finishes, not when it is asked for.
        effect=lambda at: sandbox.offer_export_book.write(report_id, sandbox.offer_book.live()),
        created=True,
    )


def get_export(call: ApiCall) -> Reply:
    report_id = call.path_param("report-id")
    with call.sandbox.lock:
        report = call.sandbox.offer_export_book.get(report_id)
        if report is None:
            raise not_found(f"Offer export {report_id}")
        return 200, report


def _accepted(
    call: ApiCall, entity_id: str, event_type: str, description: str, effect: Effect, created: bool = False
) -> Reply:
    return 202, call.sandbox.start_process(
        entity_id=entity_id,
        event_type=event_type,
        description=description,
        effect=effect,
        method=call.method,
        path=call.path,
        base_url=call.base_url,
        entity_on_success=created,
    )


routes = [
    api_route("POST", "/retailer/offers", create_offer),
    api_route("POST", "/retailer/offers/export", request_export),
    api_route("GET", "/retailer/offers/export/{report-id}", get_export, media_type=CSV_MEDIA_TYPE),
    api_route("GET", "/retailer/offers/{offer-id}", get_offer),
    api_route("PUT", "/retailer/offers/{offer-id}", update_offer),
    api_route("DELETE", "/retailer/offers/{offer-id}", delete_offer),
    api_route("PUT", "/retailer/offers/{offer-id}/price", update_price),
    api_route("PUT", "/retailer/offers/{offer-id}/stock", update_stock),
]
