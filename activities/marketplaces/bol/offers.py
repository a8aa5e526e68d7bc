"""bol.com offers (Retailer API v10): create, stock, price, details (on hold,
delivery code), and how their processes ended; and the offer export
(CSV) the nightly reconciliation compares against."""

import asyncio
import csv
import io
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from activities.marketplaces.bol import wire
from activities.marketplaces.bol.adoption import ExistingOffers, is_duplicate_refusal
from activities.marketplaces.bol.http import BolHttp
from activities.marketplaces.bol.ids import BolId, path
from activities.marketplaces.bol.process import GONE, ProcessTracker
from domain.errors import BusinessError, RetryableMarketplaceError
from domain.offers.export import OfferExport
from domain.offers.model import DesiredOffer, LiveOffer, OfferChange, OfferChangeKind, OfferOutcome, ProcessEnd

CSV_MEDIA_TYPE = "application/vnd.retailer.v10+csv"
# One seller's offer calls in flight at once; bol's per-endpoint limits do the rest.
CONCURRENCY = 16
EXPORT_PATIENCE = 20 * 60.0

OutcomeCallback = Callable[[OfferOutcome], Awaitable[None]]
T = TypeVar("T")


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
        existing = ExistingOffers(self.export)

        async def one(change: OfferChange) -> OfferOutcome:
            async with gate:
                outcome = await self._apply(change, existing)
            await on_outcome(outcome)
            return outcome

        # All or nothing: once one change fails the attempt, the others stop
        # too, so none records an outcome after the retry has begun.
        return await _together([one(change) for change in changes])

    async def _apply(self, change: OfferChange, existing: ExistingOffers) -> OfferOutcome:
        desired = change.desired
        try:
            if OfferChangeKind.CREATE in change.kinds:
                return await self._create(desired, existing)
            calls = []
            taken: list[datetime] = []
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
            # A refused price must not hold back the stock: each call ends on its own.
            sent = await _together([self._send(m, p, b, taken) for m, p, b in calls])
        except BusinessError as exc:
            return OfferOutcome(sku=desired.sku, accepted=False, offer_id=change.offer_id, reasons=[exc.readable()])
        failures = [refusal for refusal, _ in sent if refusal is not None]
        pending = [process for _, process in sent if process is not None]
        return OfferOutcome(
            sku=desired.sku,
            accepted=not failures and not pending,
            offer_id=change.offer_id,
            reasons=failures,
            taken_at=max(taken, default=None),
            pending_processes=pending,
        )

    async def _send(
        self, method: str, path: str, body: dict[str, Any], taken: list[datetime]
    ) -> tuple[str | None, str | None]:
        """(why bol refused the call, the process that says how it ends). An
        update is not followed here: the offer sync follows its process beside
        the next rounds, so a round takes one round trip, not bol's processing."""
        try:
            response = await self.http.call(method, path, json=body, ok=(202,))
        except BusinessError as exc:
            return exc.readable(), None
        taken.append(datetime.now(UTC))
        answer = wire.ProcessStatus.model_validate(response.json())
        if answer.status == "PENDING" and answer.processStatusId:
            return None, answer.processStatusId
        return _end(answer).reason, None

    async def ends(self, process_ids: list[str]) -> dict[str, ProcessEnd]:
        """How these offer updates' processes ended, looked up in bulk."""
        finals = await _together([self.tracker.wait(pid, self.patience) for pid in process_ids])
        return {pid: _end(final) for pid, final in zip(process_ids, finals, strict=True)}

    async def _create(self, desired: DesiredOffer, existing: ExistingOffers) -> OfferOutcome:
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
        if final.status == "FAILURE" and is_duplicate_refusal(final.errorMessage):
            return await self._adopt(desired, existing, final.errorMessage or "")
        if final.status != "SUCCESS" or not final.entityId:
            return OfferOutcome(sku=desired.sku, accepted=False, reasons=[final.errorMessage or final.status])
        live = await self.get(final.entityId)
        return OfferOutcome(
            sku=desired.sku,
            accepted=True,
            offer_id=final.entityId,
            not_publishable_reasons=live.not_publishable_reasons,
        )

    async def _adopt(self, desired: DesiredOffer, existing: ExistingOffers, refusal: str) -> OfferOutcome:
        try:
            found = await existing.find(desired)
        except RetryableMarketplaceError as exc:
            # Not worth holding up the round's other offers: the next change of
            # this SKU, or the nightly reconciliation, takes the offer over.
            return OfferOutcome(sku=desired.sku, accepted=False, reasons=[f"{refusal} (not found yet: {exc})"])
        if found is None:
            reason = f"{refusal} (and the offer export has no {desired.condition.value} offer for EAN {desired.ean})"
            return OfferOutcome(sku=desired.sku, accepted=False, reasons=[reason])
        live = await self.get(found.offer_id)
        kinds = []
        if live.stock != desired.stock:
            kinds.append(OfferChangeKind.STOCK)
        if live.price != desired.price:
            kinds.append(OfferChangeKind.PRICE)
        if live.on_hold != desired.on_hold or live.delivery_code != desired.delivery_code:
            kinds.append(OfferChangeKind.DETAILS)
        outcome = OfferOutcome(sku=desired.sku, accepted=True, offer_id=live.offer_id)
        if kinds:
            change = OfferChange(sku=desired.sku, offer_id=live.offer_id, kinds=kinds, desired=desired)
            outcome = await self._apply(change, existing)
        return outcome.model_copy(update={"not_publishable_reasons": live.not_publishable_reasons})

    async def _follow(
        self,
        method: str,
        path: str,
        body: dict[str, Any],
        patience: float | None = None,
        taken: list[datetime] | None = None,
    ) -> wire.ProcessStatus:
        """The call's final process status; `taken` gets when bol answered
        it (it has the update from then on, processed or not)."""
        response = await self.http.call(method, path, json=body, ok=(202,))
        if taken is not None:
            taken.append(datetime.now(UTC))
        accepted = wire.ProcessStatus.model_validate(response.json())
        if accepted.status != "PENDING" or not accepted.processStatusId:
            return accepted
        return await self.tracker.wait(accepted.processStatusId, patience or self.patience)

    async def get(self, offer_id: str) -> LiveOffer:
        data = (await self.http.call("GET", path("/retailer/offers/{}", offer_id, BolId.OPAQUE))).json()
        prices = (data.get("pricing") or {}).get("bundlePrices") or [{}]
        return LiveOffer(
            offer_id=data["offerId"],
            ean=data.get("ean", ""),
            condition=(data.get("condition") or {}).get("name"),
            reference=data.get("reference"),
            price=_decimal(prices[0].get("unitPrice")),
            stock=(data.get("stock") or {}).get("amount"),
            delivery_code=(data.get("fulfilment") or {}).get("deliveryCode"),
            on_hold=bool(data.get("onHoldByRetailer")),
            not_publishable_reasons=[
                f"{r.get('code')}: {r.get('description')}" for r in data.get("notPublishableReasons") or []
            ],
        )

    async def export(self) -> OfferExport:
        # Exports of large catalogues take a while: a command's patience would
        # give up on them, and every retry would ask bol for another one.
        final = await self._follow("POST", "/retailer/offers/export", {"format": "CSV"}, EXPORT_PATIENCE)
        if final.status != "SUCCESS" or not final.entityId:
            raise BusinessError(f"bol could not export the offers: {final.errorMessage or final.status}")
        response = await self.http.call(
            "GET", path("/retailer/offers/export/{}", final.entityId, BolId.OPAQUE), accept=CSV_MEDIA_TYPE
        )
        return parse_offer_export(response.text)


async def _together(coroutines: list[Coroutine[Any, Any, T]]) -> list[T]:
    """Runs them concurrently; the first failure cancels the rest and is raised
    as itself, so the error taxonomy still sees a 429 or a business error."""
    tasks: list[asyncio.Task[T]] = []
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(coroutine) for coroutine in coroutines]
    except BaseExceptionGroup as failed:
        raise _first(failed) from failed
    return [task.result() for task in tasks]


def _first(group: BaseExceptionGroup) -> BaseException:
    error = group.exceptions[0]
    return _first(error) if isinstance(error, BaseExceptionGroup) else error


def _end(status: wire.ProcessStatus) -> ProcessEnd:
    if status.status == "SUCCESS":
        return ProcessEnd(succeeded=True)
    if status.status == GONE:
        return ProcessEnd(succeeded=False, unknown=True, reason="bol no longer knows how the update ended")
    return ProcessEnd(succeeded=False, reason=status.errorMessage or status.status)


def _decimal(value: object) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


# Our offer fields, by the export column they are read from.
_COLUMNS = {
    "stock": "stockAmount",
    "price": "bundlePricesPrice",
    "on_hold": "onHoldByRetailer",
    "delivery_code": "fulfilmentDeliveryCode",
}


def parse_offer_export(text: str) -> OfferExport:
    """bol's v10 offer export. Columns can be added at any time (bol says so),
    so read by name and ignore the rest; a row that cannot be read is
    reported and skipped."""
    reader = csv.DictReader(io.StringIO(text))
    columns = set(reader.fieldnames or ())
    export = OfferExport(absent=[name for name, column in _COLUMNS.items() if column not in columns])
    for row in reader:
        line = reader.line_num
        offer_id = (row.get("offerId") or "").strip()
        if not offer_id:
            export.complete = False
            export.bad_row(line, "no offerId")
            continue
        try:
            export.offers.append(_live_offer(offer_id, row))
        except ValueError as exc:
            export.unreadable_ids.append(offer_id)
            export.bad_row(line, f"offer {offer_id}: {exc}")
    return export


def _live_offer(offer_id: str, row: dict[str | None, Any]) -> LiveOffer:
    # csv fills a short row's missing fields with None and keeps a long row's
    # extra fields under None: either way the fields may not be where we read them.
    if None in row:
        raise ValueError("the row has more fields than the header")
    if None in row.values():
        raise ValueError("the row is cut short")
    stock = (row.get("stockAmount") or "").strip()
    if stock and not stock.isdigit():
        raise ValueError(f"stockAmount {stock!r} is not a number")
    price = row.get("bundlePricesPrice")
    if price and _decimal(price) is None:
        raise ValueError(f"bundlePricesPrice {price!r} is not a price")
    return LiveOffer(
        offer_id=offer_id,
        ean=row.get("ean") or "",
        condition=row.get("conditionName") or None,
        reference=row.get("referenceCode") or None,
        price=_decimal(price),
        stock=int(stock) if stock else None,
        delivery_code=row.get("fulfilmentDeliveryCode") or None,
        on_hold=(row.get("onHoldByRetailer") or "").lower() == "true",
    )
