"""The seller's invoice on Kaufland: POST /order-invoices/{id_order} with the
file Base64-encoded in JSON. Kaufland keeps every upload (ids shared with its
own "deemed supplier" invoices, so they are keyed by order and id): before
sending, the order's invoices are read, and one with the same file name
from the seller counts as sent, so a retried upload is not filed twice."""

import base64
from datetime import UTC, datetime

from activities.marketplaces.kaufland import ids
from activities.marketplaces.kaufland.client import KauflandHttp
from activities.marketplaces.kaufland.wire import Wire
from domain.order.aftersales import InvoiceFile, InvoiceReceipt


class OrderInvoice(Wire):
    id_invoice: int
    id_order: str
    original_name: str = ""
    is_marketplace_deemed_supplier: bool = False
    ts_created_iso: datetime | None = None


class KauflandInvoices:
    def __init__(self, channel: str, http: KauflandHttp, storefront: str):
        self.channel = channel
        self.http = http
        self.storefront = storefront

    async def upload(self, id_order: str, invoice: InvoiceFile) -> InvoiceReceipt:
        id_order = ids.order_id(id_order)
        existing = await self._ours(id_order, invoice.filename)
        if existing is None:
            body = {
                "original_name": invoice.filename,
                "mime_type": invoice.media_type,
                "data": base64.b64encode(invoice.content).decode(),
            }
            response = await self.http.call("POST", f"/order-invoices/{id_order}", json_body=body, ok=(201,))
            existing = OrderInvoice.model_validate(response.json()["data"])
        return InvoiceReceipt(
            channel=self.channel,
            marketplace_order_id=id_order,
            filename=invoice.filename,
            uploaded_at=existing.ts_created_iso or datetime.now(UTC),
            references=[str(existing.id_invoice)],
        )

    async def _ours(self, id_order: str, filename: str) -> OrderInvoice | None:
        # The order with its invoices embedded: one read, whatever the seller's volume.
        data = await self.http.data(f"/orders/{id_order}", params={"embedded": ["order_invoices"]})
        invoices = (data or {}).get("order_invoices") or []
        for item in invoices:
            found = OrderInvoice.model_validate(item)
            if not found.is_marketplace_deemed_supplier and found.original_name == filename:
                return found
        return None
