"""Kaufland offers (units): create, change price, amount and handling time,
put on hold, delete; large rounds as one inventory-command import file; and
the units read back for the nightly reconciliation.

Kaufland's writes are synchronous: a unit call answers with the unit as it
now is. An import file is asynchronous: it is served from the worker,
registered, and followed to its end; the rows Kaufland refused are named by
their line numbers and land on their offers as rejection reasons."""

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from typing import Any, Protocol

import httpx

from activities.marketplaces.kaufland.file_shelf import FileShelf
from activities.marketplaces.kaufland.handling import UnknownDeliveryCode, handling_days
from activities.marketplaces.kaufland.inventory_csv import Upsert, write_commands
from activities.marketplaces.kaufland.units_wire import ImportFile, ImportStatus, Unit, UnitStatus
from domain.errors import BusinessError, MarketplaceUnavailable
from domain.money import to_cents
from domain.offers.export import OfferExport
from domain.offers.model import DesiredOffer, LiveOffer, OfferChange, OfferChangeKind, OfferOutcome
from domain.storefronts import Storefront

OutcomeCallback = Callable[[OfferOutcome], Awaitable[None]]
# Unit calls in flight at once; the shared rate limiter keeps the account under its budget.
CONCURRENCY = 16
UNITS_PAGE = 100  # Kaufland's maximum page size for /units
# A line Kaufland refused, as its note names it.
_LINE_ERROR = re.compile(r"^\s*line (\d+):\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)


class SignedCalls(Protocol):
    async def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        ok: tuple[int, ...] = ...,
    ) -> httpx.Response: ...


class KauflandOffers:
    def __init__(
        self,
        http: SignedCalls,
        storefront: Storefront,
        shelf: FileShelf,
        *,
        bulk_threshold: int = 150,
        import_poll: float = 2.0,
        import_patience: float = 30 * 60.0,
    ):
        self.http = http
        self.storefront = storefront
        self.shelf = shelf
        self.bulk_threshold = bulk_threshold
        self.import_poll = import_poll
        self.import_patience = import_patience

    @property
    def _where(self) -> dict[str, Any]:
        return {"storefront": self.storefront.value}

    # Sending.

    async def push(self, changes: list[OfferChange], on_outcome: OutcomeCallback) -> list[OfferOutcome]:
        # Holding and releasing an offer is a unit status, which an import
        # file cannot set: those go unit by unit, whatever the round's size.
        bulk = [c for c in changes if OfferChangeKind.DETAILS not in c.kinds]
        if len(bulk) < self.bulk_threshold:
            bulk = []
        in_file = {c.desired.sku for c in bulk}
        direct = [c for c in changes if c.desired.sku not in in_file]
        outcomes: list[OfferOutcome] = []
        if direct:
            outcomes += await self._each(direct, on_outcome)
        if bulk:
            outcomes += await self._import(bulk, on_outcome)
        return outcomes

    async def _each(self, changes: list[OfferChange], on_outcome: OutcomeCallback) -> list[OfferOutcome]:
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(change: OfferChange) -> OfferOutcome:
            async with gate:
                outcome = await self._apply(change)
            await on_outcome(outcome)
            return outcome

        # A failure that is not the offer's (429, outage) fails the attempt and
        # cancels the rest; the retry re-reads and sends what is still needed.
        # Raised as itself, so the error taxonomy still sees a 429 or an outage.
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(one(change)) for change in changes]
        except BaseExceptionGroup as failed:
            raise _first(failed) from failed
        return [task.result() for task in tasks]

    async def _apply(self, change: OfferChange) -> OfferOutcome:
        desired = change.desired
        try:
            if OfferChangeKind.CREATE in change.kinds:
                unit = await self._create(desired)
            else:
                unit = await self._patch(change.offer_id or "", _patch_body(change))
        except BusinessError as exc:
            return OfferOutcome(sku=desired.sku, accepted=False, offer_id=change.offer_id, reasons=[exc.readable()])
        except UnknownDeliveryCode as exc:
            # The seller's feed rules, not Kaufland, are wrong: this offer waits for them.
            return OfferOutcome(sku=desired.sku, accepted=False, offer_id=change.offer_id, reasons=[str(exc)])
        return OfferOutcome(sku=desired.sku, accepted=True, offer_id=str(unit.id_unit))

    async def _create(self, desired: DesiredOffer) -> Unit:
        # id_offer is unique across the seller's inventory: a unit an earlier
        # attempt created (its answer lost) is found and brought in line.
        existing = await self.unit_by_offer(desired.sku)
        if existing is not None:
            return await self._patch(str(existing.id_unit), _full_body(desired))
        body = {
            "id_offer": desired.sku,
            "ean": desired.ean,
            "condition": _CONDITIONS.get(desired.condition.value, "NEW"),
            "listing_price": to_cents(desired.price),
            "amount": desired.stock,
            "handling_time": handling_days(desired.delivery_code),
        }
        response = await self.http.call("POST", "/units", params=self._where, json_body=body, ok=(200, 201))
        return Unit.model_validate(response.json()["data"])

    async def _patch(self, unit_id: str, body: dict[str, Any]) -> Unit:
        response = await self.http.call("PATCH", f"/units/{_unit_id(unit_id)}", params=self._where, json_body=body)
        return Unit.model_validate(response.json()["data"])

    async def delete(self, unit_id: str) -> None:
        """Takes a unit off Kaufland; one already gone counts as deleted."""
        await self.http.call("DELETE", f"/units/{_unit_id(unit_id)}", params=self._where, ok=(204, 404))

    # Import files.

    async def _import(self, changes: list[OfferChange], on_outcome: OutcomeCallback) -> list[OfferOutcome]:
        commands: list[Upsert] = []
        refused: dict[str, str] = {}
        for change in changes:
            desired = change.desired
            try:
                commands.append(
                    Upsert(
                        ean=desired.ean,
                        id_offer=desired.sku,
                        listing_price=to_cents(desired.price),
                        currency=self.storefront.currency,
                        amount=desired.stock,
                        handling_time=handling_days(desired.delivery_code),
                        condition=desired.condition.value,
                    )
                )
            except UnknownDeliveryCode as exc:
                refused[desired.sku] = str(exc)
        done = await self._run_import(write_commands(commands)) if commands else None
        line_errors = _line_errors(done.note) if done else {}
        # Line N of the file is the N-th change that made it into the file.
        lines = {c.desired.sku: n for n, c in enumerate((c for c in changes if c.desired.sku not in refused), 1)}
        creates = any(OfferChangeKind.CREATE in c.kinds for c in changes if c.desired.sku in lines)
        unattributed = done is not None and done.error_count > len(line_errors)
        live = await self._live_units() if creates or unattributed else {}
        ids = {sku: str(unit.id_unit) for sku, unit in live.items()}
        outcomes = []
        for change in changes:
            sku = change.desired.sku
            line = lines.get(sku)
            if line is None:
                outcome = OfferOutcome(sku=sku, accepted=False, offer_id=change.offer_id, reasons=[refused[sku]])
            elif line in line_errors:
                reason = f"import file line {line}: {line_errors[line]}"
                outcome = OfferOutcome(sku=sku, accepted=False, offer_id=change.offer_id, reasons=[reason])
            elif unattributed and not _took_effect(live.get(sku), change.desired):
                # Kaufland counted errors its note does not place: the unit read
                # back says whether this line was one of them.
                reason = (
                    f"import file line {line}: not applied (Kaufland reported {done and done.error_count} error(s))"
                )
                outcome = OfferOutcome(sku=sku, accepted=False, offer_id=change.offer_id, reasons=[reason])
            else:
                outcome = OfferOutcome(sku=sku, accepted=True, offer_id=change.offer_id or ids.get(sku))
            await on_outcome(outcome)
            outcomes.append(outcome)
        return outcomes

    async def _run_import(self, body: bytes) -> ImportFile:
        url = await self.shelf.put(body)
        try:
            response = await self.http.call(
                "POST", "/import-files/inventory-command", params=self._where, json_body={"url": url}, ok=(201,)
            )
            current = ImportFile.model_validate(response.json()["data"])
            waited = 0.0
            while not current.status.final:
                if waited > self.import_patience:
                    raise MarketplaceUnavailable(
                        f"Kaufland import file {current.id_import_file} is still {current.status} "
                        f"after {self.import_patience:.0f} s"
                    )
                await asyncio.sleep(self.import_poll)
                waited += self.import_poll
                response = await self.http.call(
                    "GET", f"/import-files/inventory-command/{current.id_import_file}", params=self._where
                )
                current = ImportFile.model_validate(response.json()["data"])
        finally:
            self.shelf.remove(url)
        if current.status is ImportStatus.DOWNLOADING_FAILED:
            # Our file server was not reachable from Kaufland: worth another try.
            raise MarketplaceUnavailable(
                f"Kaufland could not download import file {current.id_import_file} from {url}: {current.note or ''}"
            )
        if current.status.failed and not _line_errors(current.note):
            raise BusinessError(
                f"Kaufland refused import file {current.id_import_file}: {current.status}, {current.note}"
            )
        return current

    # Reading.

    async def unit_by_offer(self, id_offer: str) -> Unit | None:
        response = await self.http.call("GET", "/units", params={**self._where, "id_offer": id_offer, "limit": 1})
        units = response.json().get("data") or []
        return Unit.model_validate(units[0]) if units else None

    async def get(self, offer_id: str) -> LiveOffer:
        response = await self.http.call("GET", f"/units/{_unit_id(offer_id)}", params=self._where)
        return _live(Unit.model_validate(response.json()["data"]))

    async def export(self) -> OfferExport:
        """Every unit of this storefront, page by page (Kaufland has no export file for units)."""
        export = OfferExport()
        async for row, unit in self._units():
            if isinstance(unit, Unit):
                export.offers.append(_live(unit))
            else:
                export.complete = False
                export.bad_row(row, unit)
        return export

    async def _live_units(self) -> dict[str, Unit]:
        """This storefront's units by id_offer (our SKU)."""
        return {unit.id_offer: unit async for _, unit in self._units() if isinstance(unit, Unit) and unit.id_offer}

    async def _units(self) -> AsyncIterator[tuple[int, Unit | str]]:
        """Each unit with its position in the listing, or why it could not be read."""
        offset = 0
        while True:
            params = {**self._where, "limit": UNITS_PAGE, "offset": offset, "embedded": "products"}
            page = (await self.http.call("GET", "/units", params=params)).json()
            items = page.get("data") or []
            for index, item in enumerate(items):
                try:
                    yield offset + index + 1, Unit.model_validate(item)
                except ValueError as exc:
                    yield offset + index + 1, f"unit {item.get('id_unit') if isinstance(item, dict) else '?'}: {exc}"
            offset += len(items)
            total = (page.get("pagination") or {}).get("total")
            if not items or (total is not None and offset >= total):
                return


_CONDITIONS = {
    "NEW": "NEW",
    "AS_NEW": "USED___AS_NEW",
    "GOOD": "USED___GOOD",
    "REASONABLE": "USED___ACCEPTABLE",
    "MODERATE": "USED___ACCEPTABLE",
}
# Kaufland's conditions in ours (a catalog bootstrapped from the units reads
# them); ACCEPTABLE comes back as the better of the two we send it for. One
# we never send (USED___VERY_GOOD, refurbished) stays Kaufland's, and the
# catalog import names it.
_OUR_CONDITIONS = {"NEW": "NEW", "USED___AS_NEW": "AS_NEW", "USED___GOOD": "GOOD", "USED___ACCEPTABLE": "REASONABLE"}


def _first(group: BaseExceptionGroup) -> BaseException:
    error = group.exceptions[0]
    return _first(error) if isinstance(error, BaseExceptionGroup) else error


def _took_effect(unit: Unit | None, desired: DesiredOffer) -> bool:
    return unit is not None and unit.amount == desired.stock and unit.listing_price == to_cents(desired.price)


def _status(desired: DesiredOffer) -> str:
    return (UnitStatus.ONHOLD if desired.on_hold else UnitStatus.AVAILABLE).value


def _patch_body(change: OfferChange) -> dict[str, Any]:
    desired = change.desired
    body: dict[str, Any] = {}
    if OfferChangeKind.STOCK in change.kinds:
        body["amount"] = desired.stock
    if OfferChangeKind.PRICE in change.kinds:
        body["listing_price"] = to_cents(desired.price)
    if OfferChangeKind.DETAILS in change.kinds:
        body["handling_time"] = handling_days(desired.delivery_code)
        body["status"] = _status(desired)
    return body


def _full_body(desired: DesiredOffer) -> dict[str, Any]:
    return {
        "amount": desired.stock,
        "listing_price": to_cents(desired.price),
        "handling_time": handling_days(desired.delivery_code),
        "status": _status(desired),
    }


def _live(unit: Unit) -> LiveOffer:
    return LiveOffer(
        offer_id=str(unit.id_unit),
        ean=unit.product.eans[0] if unit.product and unit.product.eans else "",
        condition=_OUR_CONDITIONS.get(unit.condition or "", unit.condition),
        reference=unit.id_offer,
        price=Decimal(unit.listing_price) / 100,
        stock=unit.amount,
        # Kaufland's promise is the handling time; the feed's codes for this
        # channel are its number of working days.
        delivery_code=str(unit.handling_time),
        on_hold=unit.status is UnitStatus.ONHOLD,
    )


def _line_errors(note: str | None) -> dict[int, str]:
    return {int(number): message for number, message in _LINE_ERROR.findall(note or "")}


def _unit_id(unit_id: str) -> str:
    # Kaufland's unit ids are positive integers; anything else must not reach a URL path.
    if not unit_id.isdigit() or int(unit_id) < 1:
        raise BusinessError(f"id_unit: {unit_id!r} is not a Kaufland unit id")
    return unit_id
