"""Adopting an offer bol already has. bol keeps one offer per EAN and
condition and refuses a second create; when that refusal answers our own
create (a retry after a crash lost the first answer, or an offer made in the
seller portal), the existing offer is the one to keep in line, or it sells
stock we no longer have. v10 finds an offer id by EAN only through the offer
export, so one export serves every refusal of a round."""

import asyncio
from collections.abc import Awaitable, Callable

from domain.errors import RetryableMarketplaceError
from domain.offers.export import OfferExport
from domain.offers.model import DesiredOffer, LiveOffer

# bol words the refusal "... already exists ..."; nothing else in a create's
# process status says it.
_DUPLICATE_MARK = "already exist"


def is_duplicate_refusal(error_message: str | None) -> bool:
    return _DUPLICATE_MARK in (error_message or "").lower()


class ExistingOffers:
    def __init__(self, export: Callable[[], Awaitable[OfferExport]]):
        self._export = export
        self._lock = asyncio.Lock()
        self._by_key: dict[tuple[str, str], LiveOffer] | None = None
        self._failed: RetryableMarketplaceError | None = None

    async def find(self, desired: DesiredOffer) -> LiveOffer | None:
        """Raises RetryableMarketplaceError when the export could not be had
        (bol allows few an hour); the rest of the round asks no more."""
        async with self._lock:
            if self._failed is not None:
                raise self._failed
            if self._by_key is None:
                try:
                    export = await self._export()
                except RetryableMarketplaceError as exc:
                    self._failed = exc
                    raise
                self._by_key = {(offer.ean, offer.condition or ""): offer for offer in export.offers}
        return self._by_key.get((desired.ean, desired.condition.value))
