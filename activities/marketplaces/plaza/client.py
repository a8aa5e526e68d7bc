"""Pushing offers through the Plaza Offer API v2.

bol rejects an entire UpsertRequest when one offer in it is invalid. So the
client checks every documented rule before sending, and when bol still
refuses a batch (for reasons only it knows, such as an EAN it has no product
for) it isolates the culprits and re-sends the rest: one bad offer must never
keep the others off the shelf."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import httpx

from activities.marketplaces.plaza.limits import MAX_OFFERS_PER_REQUEST
from activities.marketplaces.plaza.result import AcceptedOffer, PlazaUpsertResult, RejectedOffer
from activities.marketplaces.plaza.safexml import PlazaXmlError
from activities.marketplaces.plaza.signing import signed_headers
from activities.marketplaces.plaza.validation import validate_offer
from activities.marketplaces.plaza.xml import (
    PlazaError,
    PlazaOffer,
    build_upsert_request,
    offer_from_desired,
    parse_errors,
)
from domain.errors import BusinessError, MarketplaceUnavailable, RateLimited, Violation
from domain.offers.model import DesiredOffer

log = logging.getLogger(__name__)

UPSERT_PATH = "/offers/v2/"
# "Prepare Offer file": a signed read, so it proves the keys without
# touching a single offer.
EXPORT_PATH = "/offers/v2/export"
CONTENT_TYPE = "application/xml"


@dataclass(frozen=True)
class _Outgoing:
    desired: DesiredOffer
    wire: PlazaOffer


class PlazaClient:
    def __init__(
        self,
        base_url: str,
        public_key: str,
        private_key: str,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], datetime] | None = None,
        timeout_seconds: float = 30.0,
    ):
        self._url = httpx.URL(base_url.rstrip("/") + UPSERT_PATH)
        self._public_key = public_key
        self._private_key = private_key
        self._clock = clock or (lambda: datetime.now(UTC))
        self._http = httpx.AsyncClient(transport=transport, timeout=timeout_seconds, follow_redirects=False)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def check_credentials(self) -> None:
        url = self._url.copy_with(path=EXPORT_PATH)
        headers = signed_headers(self._public_key, self._private_key, "GET", CONTENT_TYPE, EXPORT_PATH, self._clock())
        try:
            response = await self._http.get(url, headers=headers)
        except httpx.TransportError as exc:
            raise MarketplaceUnavailable(f"bol Plaza GET {EXPORT_PATH} failed: {exc!r}") from exc
        if response.is_success:
            return
        if response.status_code in (401, 403):
            detail = "; ".join(_describe(e) for e in _errors(response)) or response.reason_phrase
            raise BusinessError(f"bol Plaza refused the keys: {detail}", status=response.status_code)
        raise _failure(response, f"GET {EXPORT_PATH}")

    async def upsert(self, offers: list[DesiredOffer]) -> PlazaUpsertResult:
        """Send `offers`, at most 50 per request. bol keys offers on
        EAN+Condition, so the call is idempotent: after RateLimited or
        MarketplaceUnavailable the caller may simply send everything again."""
        result = PlazaUpsertResult()
        outgoing: list[_Outgoing] = []
        sent_keys: set[tuple[str, str]] = set()
        for desired in offers:
            wire = offer_from_desired(desired)
            violations = validate_offer(wire)
            if wire.key in sent_keys:
                # Both would land on one bol offer; which one won would be unknowable.
                violations.append(Violation(name="EAN", reason="EAN and Condition repeat an earlier offer"))
            if violations:
                _reject(result, _Outgoing(desired, wire), "local", violations)
                continue
            sent_keys.add(wire.key)
            outgoing.append(_Outgoing(desired, wire))
        for start in range(0, len(outgoing), MAX_OFFERS_PER_REQUEST):
            await self._deliver(outgoing[start : start + MAX_OFFERS_PER_REQUEST], result)
        return result

    async def _deliver(self, batch: list[_Outgoing], result: PlazaUpsertResult) -> None:
        errors = await self._put(batch, result)
        if errors is None:
            result.accepted.extend(
                AcceptedOffer(sku=o.desired.sku, ean=o.wire.ean, condition=o.desired.condition) for o in batch
            )
            return
        named = {error.value for error in errors if error.field == "EAN"}
        culprits = [o for o in batch if o.wire.ean in named]
        if culprits:
            for offer in culprits:
                own = [e for e in errors if e.field == "EAN" and e.value == offer.wire.ean]
                _reject(result, offer, "server", [_violation(e) for e in own])
            rest = [o for o in batch if o.wire.ean not in named]
            if rest:
                await self._deliver(rest, result)
        elif len(batch) == 1:
            _reject(result, batch[0], "server", [_violation(e) for e in errors])
        else:
            # bol did not say which offer it meant: halve until each failing
            # half is a single offer.
            middle = len(batch) // 2
            await self._deliver(batch[:middle], result)
            await self._deliver(batch[middle:], result)

    async def _put(self, batch: list[_Outgoing], result: PlazaUpsertResult) -> list[PlazaError] | None:
        """None when bol accepted the batch, bol's errors when it refused it."""
        body = build_upsert_request([o.wire for o in batch])
        headers = signed_headers(
            self._public_key, self._private_key, "PUT", CONTENT_TYPE, self._url.path, self._clock()
        )
        result.requests += 1
        try:
            response = await self._http.put(self._url, content=body, headers=headers)
        except httpx.TransportError as exc:
            raise MarketplaceUnavailable(f"bol Plaza PUT {UPSERT_PATH} failed: {exc!r}") from exc
        log.debug("bol Plaza PUT %s with %d offers -> %s", UPSERT_PATH, len(batch), response.status_code)
        if response.is_success:
            return None
        if response.status_code == 400:
            return _errors(response) or [PlazaError(code="400", message=response.text[:500] or "Bad Request")]
        raise _failure(response, f"PUT {UPSERT_PATH}")


def _reject(
    result: PlazaUpsertResult, offer: _Outgoing, source: Literal["local", "server"], violations: list[Violation]
) -> None:
    log.info("bol Plaza offer %s %s rejected (%s): %s", offer.wire.ean, offer.wire.condition, source, violations)
    result.rejected.append(
        RejectedOffer(
            sku=offer.desired.sku,
            ean=offer.wire.ean,
            condition=offer.desired.condition,
            source=source,
            violations=violations,
        )
    )


def _describe(error: PlazaError) -> str:
    return f"{error.message} [{error.code}]" if error.code else error.message


def _violation(error: PlazaError) -> Violation:
    # A ServiceError names no field: it is about the request as a whole.
    return Violation(name=error.field or "UpsertRequest", reason=_describe(error))


def _errors(response: httpx.Response) -> list[PlazaError]:
    try:
        return parse_errors(response.content)
    except PlazaXmlError:
        return []


def _failure(response: httpx.Response, request: str) -> Exception:
    status = response.status_code
    errors = _errors(response)
    detail = "; ".join(_describe(e) for e in errors) or response.text[:500] or response.reason_phrase
    message = f"bol Plaza {request}: {status} {detail}"
    # Plaza signals a breached rate limit with 409 ("BOL-ERROR [PAI-41501]").
    if status == 409:
        return RateLimited(message)
    if status >= 500 or status == 408:
        return MarketplaceUnavailable(message)
    return BusinessError(message, violations=[_violation(e) for e in errors], status=status)
