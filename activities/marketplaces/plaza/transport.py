"""Plaza as a channel's offer transport: offer changes in, outcomes out.

Plaza has no offer ids: an offer is its EAN + condition, so that pair is the
offer id ordertide keeps. Every change is a full upsert, which Plaza treats
as create-or-update."""

from collections.abc import Awaitable, Callable

import httpx

from activities.marketplaces.plaza.client import PlazaClient
from domain.config import PlazaConfig
from domain.offers.model import DesiredOffer, OfferChange, OfferOutcome


def plaza_offer_id(desired: DesiredOffer) -> str:
    return f"{desired.ean}:{desired.condition.value}"


class PlazaOfferTransport:
    def __init__(self, config: PlazaConfig, transport: httpx.AsyncBaseTransport | None = None):
        if not (config.public_key and config.private_key):
            raise ValueError("the Plaza offer transport needs plaza.public_key and plaza.private_key")
        self.client = PlazaClient(
            config.base_url, config.public_key, config.private_key.get_secret_value(), transport=transport
        )

    async def push(
        self, changes: list[OfferChange], on_outcome: Callable[[OfferOutcome], Awaitable[None]]
    ) -> list[OfferOutcome]:
        by_key = {(c.desired.ean, c.desired.condition): c.desired for c in changes}
        result = await self.client.upsert([c.desired for c in changes])
        outcomes = [
            OfferOutcome(sku=a.sku, accepted=True, offer_id=plaza_offer_id(by_key[(a.ean, a.condition)]))
            for a in result.accepted
        ]
        outcomes += [
            OfferOutcome(sku=r.sku, accepted=False, reasons=[f"{v.name}: {v.reason}" for v in r.violations])
            for r in result.rejected
        ]
        for outcome in outcomes:
            await on_outcome(outcome)
        return outcomes

    async def check_credentials(self) -> None:
        await self.client.check_credentials()

    async def aclose(self) -> None:
        await self.client.aclose()
