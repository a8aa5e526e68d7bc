"""Kaufland Shipment Solutions: POST /shipping-labels buys a GLS label for
order units shipped in one package; the PDF is behind a temporary download
URL (here under /_sandbox, unsigned, as Kaufland's link is)."""

import uuid
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.kaufland.gateway import ApiCall, api_route
from sandbox.kaufland.orders import OPEN_STATUSES
from sandbox.kaufland.problems import KauflandProblem, invalid, not_found

# "The carrier must be one of the following: `GLS`"
KSS_CARRIERS = ("GLS",)
MEASUREMENTS = ("weight_gram", "height_cm", "length_cm", "width_cm")


@dataclass
class KssLabel:
    id: str
    units: list[int]
    tracking_number: str

    def pdf(self) -> bytes:
        return b"%PDF-1.4\n% GLS " + self.tracking_number.encode() + b"\ntrailer<<>>\n%%EOF\n"


class KssLabels:
    def __init__(self) -> None:
        self.labels: dict[str, KssLabel] = {}

    def records(self) -> list[dict[str, Any]]:
        return [
            {"id": label.id, "units": label.units, "tracking_number": label.tracking_number}
            for label in self.labels.values()
        ]


def create_label(call: ApiCall) -> tuple[int, dict[str, Any] | None]:
    body = call.json()
    units, carriers, package = body.get("ids_order_units"), body.get("carriers"), body.get("package_measurements")
    if not isinstance(units, list) or not units or not all(isinstance(u, int) for u in units):
        raise invalid("ids_order_units", "must be a non-empty list of order unit ids")
    if not isinstance(carriers, list) or not any(c in KSS_CARRIERS for c in carriers):
        raise invalid("carriers", "the carrier must be one of the following: GLS")
    if not isinstance(package, dict) or not all(
        isinstance(package.get(m), int) and package[m] > 0 for m in MEASUREMENTS
    ):
        raise invalid("package_measurements", f"{', '.join(MEASUREMENTS)} are required positive integers")
    sandbox = call.sandbox
    with sandbox.lock:
        for id_order_unit in units:
            unit = sandbox.order_book.units.get(id_order_unit)
            if unit is None:
                raise not_found(f"Order unit {id_order_unit}")
            if unit.status not in OPEN_STATUSES:
                raise KauflandProblem(
                    422, f"Order unit {id_order_unit} is {unit.status}", "/problems/action-not-allowed"
                )
        book = _book(sandbox)
        label = KssLabel(str(uuid.uuid4()), list(units), f"GLS{len(book.labels) + 1:011d}")
        book.labels[label.id] = label
    base = f"{call.request.url.scheme}://{call.request.url.netloc}"
    url = f"{base}/_sandbox/shipping-labels/{label.id}.pdf"
    return 201, {
        "data": {"id": label.id, "tracking_number": label.tracking_number, "carrier": "GLS", "download_url": url}
    }


async def download(request: Request) -> Response:
    label = _book(request.app.state.sandbox).labels.get(str(request.path_params["id"]))
    if label is None:
        return Response(status_code=404)
    return Response(label.pdf(), 200, media_type="application/pdf")


def _book(sandbox: Any) -> KssLabels:
    # Kept on the sandbox, created on first use, so state.py stays as it is.
    book = getattr(sandbox, "kss_labels", None)
    if book is None:
        book = sandbox.kss_labels = KssLabels()
    return book


routes = [
    api_route("POST", "/shipping-labels", create_label),
    Route("/_sandbox/shipping-labels/{id}.pdf", download, methods=["GET"]),
]
