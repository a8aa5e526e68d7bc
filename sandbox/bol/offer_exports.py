"""Offer exports: the CSV of all offers that a CREATE_OFFER_EXPORT process
writes when it finishes, kept by report id. It is a snapshot — later changes
do not show in it, which is why bol says export stock may be stale."""

import csv
import io

from sandbox.bol.offers import Offer

# The v10 columns, in bol's order.
COLUMNS = (
    "offerId",
    "ean",
    "conditionName",
    "conditionCategory",
    "conditionComment",
    "bundlePricesPrice",
    "fulfilmentDeliveryCode",
    "stockAmount",
    "onHoldByRetailer",
    "fulfilmentType",
    "mutationDateTime",
    "referenceCode",
)


class OfferExportBook:
    def __init__(self) -> None:
        self._reports: dict[str, str] = {}

    def write(self, report_id: str, offers: list[Offer]) -> str | None:
        """Keeps the CSV of these offers as report `report_id`; never fails."""
        self._reports[report_id] = _csv(offers)
        return None

    def get(self, report_id: str) -> str | None:
        return self._reports.get(report_id)


def _csv(offers: list[Offer]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for offer in offers:
        writer.writerow(
            (
                offer.offer_id,
                offer.ean,
                offer.condition.name,
                offer.condition.derived_category,
                offer.condition.comment or "",
                # The single-unit price, dot-separated: bol's export has no bundle prices.
                offer.price,
                offer.fulfilment.deliveryCode or "",
                offer.stock_amount,
                "true" if offer.on_hold else "false",
                offer.fulfilment.method,
                offer.changed_at,
                offer.reference or "",
            )
        )
    return out.getvalue()
