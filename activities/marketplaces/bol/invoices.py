"""The seller's invoice on bol.com: bol takes it per shipment
(POST /retailer/shipments/invoices/{shipment-id}, multipart/form-data),
processed asynchronously like every other bol command."""

from datetime import UTC, datetime

from activities.marketplaces.bol import wire
from activities.marketplaces.bol.http import BolHttp
from activities.marketplaces.bol.ids import BolId, checked, path
from activities.marketplaces.bol.process import ProcessTracker
from domain.errors import BusinessError, CommandFailed
from domain.order.aftersales import InvoiceFile, InvoiceReceipt


class BolInvoices:
    def __init__(self, channel: str, http: BolHttp, tracker: ProcessTracker, patience: float):
        self.channel = channel
        self.http = http
        self.tracker = tracker
        self.patience = patience

    async def shipment_ids(self, order_id: str) -> list[str]:
        response = await self.http.call(
            "GET", "/retailer/shipments", params={"order-id": checked(order_id, BolId.ORDER), "page": 1}
        )
        shipments = wire.ShipmentsPage.model_validate(response.json() if response.content else {})
        return [s.shipmentId for s in shipments.shipments if s.shipmentId]

    async def upload(self, order_id: str, invoice: InvoiceFile) -> InvoiceReceipt:
        """One invoice for the whole order, so it goes with every shipment of
        it (bol asks for it per shipment). An order not shipped yet has no
        shipment to take it: bol cannot hold an invoice before that."""
        shipment_ids = await self.shipment_ids(order_id)
        if not shipment_ids:
            raise BusinessError(
                f"bol takes an invoice per shipment and order {order_id} has not shipped yet; upload it after shipping"
            )
        for shipment_id in shipment_ids:
            response = await self.http.call(
                "POST",
                path("/retailer/shipments/invoices/{}", shipment_id, BolId.OPAQUE),
                files={"invoice": (invoice.filename, invoice.content, invoice.media_type)},
                ok=(202,),
            )
            accepted = wire.ProcessStatus.model_validate(response.json())
            final = accepted
            if accepted.status == "PENDING" and accepted.processStatusId:
                final = await self.tracker.wait(accepted.processStatusId, self.patience)
            if final.status != "SUCCESS":
                reason = final.errorMessage or final.description or final.status
                raise CommandFailed(f"bol refused the invoice for shipment {shipment_id}: {reason}")
        return InvoiceReceipt(
            channel=self.channel,
            marketplace_order_id=order_id,
            filename=invoice.filename,
            uploaded_at=datetime.now(UTC),
            references=shipment_ids,
        )
