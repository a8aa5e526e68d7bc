"""bol's shipping labels ("Verzenden via bol"): read the delivery options
for the lines to ship, buy the one the seller's rules choose, follow the
CREATE_SHIPPING_LABEL process, and fetch the PDF with its transporter and
track-and-trace (sent as headers)."""

from collections.abc import Awaitable, Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from activities.marketplaces.bol import wire
from activities.marketplaces.bol.http import BolHttp
from activities.marketplaces.bol.ids import BolId, path
from activities.marketplaces.bol.process import ProcessTracker
from domain.errors import BusinessError, CommandFailed, ProcessStillPending
from domain.labels import BoughtLabel, DeliveryOption, LabelRules
from domain.order.view import LineQuantity

PDF_MEDIA_TYPE = "application/vnd.retailer.v10+pdf"


class BolLabels:
    def __init__(self, http: BolHttp, tracker: ProcessTracker, patience: float):
        self.http = http
        self.tracker = tracker
        self.patience = patience

    async def options(self, lines: list[LineQuantity]) -> list[DeliveryOption]:
        response = await self.http.call(
            "POST", "/retailer/shipping-labels/delivery-options", json={"orderItems": _items(lines)}, ok=(200,)
        )
        return [_option(raw) for raw in (response.json() or {}).get("deliveryOptions", [])]

    async def buy(
        self,
        lines: list[LineQuantity],
        rules: LabelRules,
        resume_process_id: str | None,
        on_accepted: Callable[[str], Awaitable[None]],
        heartbeat: Callable[[], None] | None = None,
    ) -> BoughtLabel:
        """The label an earlier attempt started buying (`resume_process_id`),
        else a new one by `rules`. `on_accepted` gets the process id before
        it is followed, so a crash after bol took the order never buys twice."""
        if resume_process_id:
            earlier = await self.tracker.wait(resume_process_id, self.patience, heartbeat)
            if earlier.status == "SUCCESS" and earlier.entityId:
                return await self.fetch(earlier.entityId)
            if earlier.status != "FAILURE":
                raise ProcessStillPending(f"bol has not finished the label bought earlier ({earlier.status})")
        options = await self.options(lines)
        try:
            chosen = rules.choose(options)
        except LookupError as exc:
            raise BusinessError(f"no bol shipping label to buy: {exc}") from exc
        body = {"orderItems": _items(lines), "shippingLabelOfferId": chosen.offer_id}
        response = await self.http.call("POST", "/retailer/shipping-labels", json=body, ok=(202,))
        accepted = wire.ProcessStatus.model_validate(response.json())
        final = accepted
        if accepted.processStatusId:
            await on_accepted(accepted.processStatusId)
            if accepted.status == "PENDING":
                final = await self.tracker.wait(accepted.processStatusId, self.patience, heartbeat)
        if final.status != "SUCCESS" or not final.entityId:
            raise CommandFailed(f"bol refused the shipping label: {final.errorMessage or final.status}")
        label = await self.fetch(final.entityId)
        return label.model_copy(update={"price": chosen.price, "name": chosen.name})

    async def fetch(self, label_id: str) -> BoughtLabel:
        response = await self.http.call(
            "GET", path("/retailer/shipping-labels/{}", label_id, BolId.OPAQUE), accept=PDF_MEDIA_TYPE, ok=(200,)
        )
        tracking = response.headers.get("X-Track-And-Trace-Code")
        transporter = response.headers.get("X-Transporter-Code")
        if not tracking or not transporter:
            raise BusinessError(f"bol sent shipping label {label_id} without its transporter or track-and-trace")
        return BoughtLabel(
            label_id=label_id, transporter_code=transporter, track_and_trace=tracking, pdf=response.content
        )


def _items(lines: list[LineQuantity]) -> list[dict[str, Any]]:
    return [{"orderItemId": line.line_id, "quantity": line.quantity} for line in lines]


def _option(raw: dict[str, Any]) -> DeliveryOption:
    handover = raw.get("handoverDetails") or {}
    latest = handover.get("latestHandoverDateTime")
    return DeliveryOption(
        offer_id=raw["shippingLabelOfferId"],
        transporter_code=raw["transporterCode"],
        label_type=raw["labelType"],
        name=raw.get("labelDisplayName", ""),
        price=Decimal(str(raw["labelPrice"]["totalPrice"])),
        recommended=bool(raw.get("recommended")),
        meets_promise=handover.get("meetsCustomerExpectation", True),
        latest_handover=datetime.fromisoformat(latest) if latest else None,
    )
