"""bol.com offers (Retailer API v10): create, stock, price, details (on hold,
delivery code), each followed to its process status; and the offer export
(CSV) the nightly reconciliation compares against."""

import asyncio
import csv
import io
from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from activities.marketplaces.bol import wire
from activities.marketplaces.bol.http import BolHttp
from activities.marketplaces.bol.ids import BolId, path
from activities.marketplaces.bol.process import ProcessTracker
from domain.errors import BusinessError
from domain.offers.model import DesiredOffer, LiveOffer, OfferChange, OfferChangeKind, OfferOutcome

CSV_MEDIA_TYPE = "application/vnd.retailer.v10+csv"
# One seller's offer calls in flight at once; bol's per-endpoint limits do the rest.
CONCURRENCY = 16

OutcomeCallback = Callable[[OfferOutcome], Awaitable[None]]


def _price(desired: DesiredOffer) -> dict[str, Any]:
    return {"bundlePrices": [{"quantity": 1, "unitPrice": float(desired.price)}]}


def _stock(desired: DesiredOffer) -> dict[str, Any]:
    # We reserve stock for every order we accept, so bol must only subtract
    # orders placed after our update (managedByRetailer=true); false would
    # subtract our own reservations a second time.
    return {"amount": desired.stock, "managedByRetailer": True}


def _fulfilment(desired: DesiredOffer) -> dict[str, Any]:
    return {"method": desired.fulfilment.value, "deliveryCode": desired.delivery_code}


class BolOffers:
    def __init__(self, http: BolHttp, tracker: ProcessTracker, patience: float):
        self.http = http
        self.tracker = tracker
        self.patience = patience

    async def push(self, changes: list[OfferChange], on_outcome: OutcomeCallback) -> list[OfferOutcome]:
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(change: OfferChange) -> OfferOutcome:
            async with gate:
                outcome = await self._apply(change)
            await on_outcome(outcome)
            return outcome

        return list(await asyncio.gather(*(one(change) for change in changes)))

    async def _apply(self, change: OfferChange) -> OfferOutcome:
        desired = change.desired
        try:
            if OfferChangeKind.CREATE in change.kinds:
                return await self._create(desired)
            calls = []
            offer = path("/retailer/offers/{}", change.offer_id or "", BolId.OPAQUE)
            if OfferChangeKind.STOCK in change.kinds:
                calls.append(("PUT", f"{offer}/stock", _stock(desired)))
            if OfferChangeKind.PRICE in change.kinds:
                calls.append(("PUT", f"{offer}/price", {"pricing": _price(desired)}))
            if OfferChangeKind.DETAILS in change.kinds:
                body = {"onHoldByRetailer": desired.on_hold, "fulfilment": _fulfilment(desired)}
                if desired.reference:
                    body["reference"] = desired.reference[:100]
                calls.append(("PUT", offer, body))
            finals = await asyncio.gather(*(self._follow(m, p, b) for m, p, b in calls))
        except BusinessError as exc:
            return OfferOutcome(sku=desired.sku, accepted=False, offer_id=change.offer_id, reasons=[exc.readable()])
        failures = [f.errorMessage or f.status for f in finals if f.status != "SUCCESS"]
        return OfferOutcome(sku=desired.sku, accepted=not failures, offer_id=change.offer_id, reasons=failures)

    async def _create(self, desired: DesiredOffer) -> OfferOutcome:
        body: dict[str, Any] = {
            "ean": desired.ean,
            "condition": {"name": desired.condition.value},
            "onHoldByRetailer": desired.on_hold,
            "pricing": _price(desired),
            "stock": _stock(desired),
            "fulfilment": _fulfilment(desired),
        }
        if desired.reference:
            body["reference"] = desired.reference[:100]
        if desired.title:
            body["unknownProductTitle"] = desired.title[:500]
        final = await self._follow("POST", "/retailer/offers", body)
        if final.status != "SUCCESS" or not final.entityId:
            return OfferOutcome(sku=desired.sku, accepted=False, reasons=[final.errorMessage or final.status])
        live = await self.get(final.entityId)
        return OfferOutcome(
            sku=desired.sku,
            accepted=True,
            offer_id=final.entityId,
            not_publishable_reasons=live.not_publishable_reasons,
        )

    async def _follow(self, method: str, path: str, body: dict[str, Any]) -> wire.ProcessStatus:
        response = await self.http.call(method, path, json=body, ok=(202,))
        accepted = wire.ProcessStatus.model_validate(response.json())
        if accepted.status != "PENDING" or not accepted.processStatusId:
            return accepted
        return await self.tracker.wait(accepted.processStatusId, self.patience)

    async def get(self, offer_id: str) -> LiveOffer:
        data = (await self.http.call("GET", path("/retailer/offers/{}", offer_id, BolId.OPAQUE))).json()
        prices = (data.get("pricing") or {}).get("bundlePrices") or [{}]
        return LiveOffer(
            offer_id=data["offerId"],
            ean=data.get("ean", ""),
            reference=data.get("reference"),
            price=_decimal(prices[0].get("unitPrice")),
            stock=(data.get("stock") or {}).get("amount"),
            delivery_code=(data.get("fulfilment") or {}).get("deliveryCode"),
            on_hold=bool(data.get("onHoldByRetailer")),
            not_publishable_reasons=[
                f"{r.get('code')}: {r.get('description')}" for r in data.get("notPublishableReasons") or []
            ],
        )

    async def export(self) -> list[LiveOffer]:
        final = await self._follow("POST", "/retailer/offers/export", {"format": "CSV"})
        if final.status != "SUCCESS" or not final.entityId:
            raise BusinessError(f"bol could not export the offers: {final.errorMessage or final.status}")
        response = await self.http.call(
            "GET", path("/retailer/offers/export/{}", final.entityId, BolId.OPAQUE), accept=CSV_MEDIA_TYPE
        )
        return parse_offer_export(response.text)


def _decimal(value: object) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def parse_offer_export(text: str) -> list[LiveOffer]:
    """bol's v10 offer export. Columns can be added at any time (bol says so),
    so read by name and ignore the rest."""
    offers = []
    for row in csv.DictReader(io.StringIO(text)):
        stock = row.get("stockAmount")
        offers.append(
            LiveOffer(
                offer_id=row["offerId"],
                ean=row.get("ean", ""),
                reference=row.get("referenceCode") or None,
                condition=row.get("conditionName") or None,
                price=_decimal(row.get("bundlePricesPrice")),
                stock=int(stock) if stock and stock.isdigit() else None,
                delivery_code=row.get("fulfilmentDeliveryCode") or None,
                on_hold=(row.get("onHoldByRetailer") or "").lower() == "true",
            )
        )
    return offers
