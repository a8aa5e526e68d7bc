"""Offer pushes against the bol sandbox: a create bol refuses as a duplicate
adopts the offer bol already has, and a failed push leaves nothing running."""

import asyncio
from decimal import Decimal

import pytest

from activities.marketplaces.bol.adapter import BolAdapter
from domain.errors import MarketplaceUnavailable
from domain.offers.model import DesiredOffer, OfferChange, OfferChangeKind, OfferOutcome
from tests.support import SandboxedBol
from tests.workflows.helpers import LAMP, MUG


def wanted(ean: str, stock: int, price: str = "12.95") -> DesiredOffer:
    return DesiredOffer(sku=f"SKU-{ean}", ean=ean, price=Decimal(price), stock=stock, delivery_code="24uurs-16")


def create(desired: DesiredOffer) -> OfferChange:
    return OfferChange(sku=desired.sku, kinds=[OfferChangeKind.CREATE], desired=desired)


async def created(adapter: BolAdapter, desired: DesiredOffer) -> str:
    [outcome] = await adapter.push_offers([create(desired)], _ignore)
    assert outcome.accepted and outcome.offer_id, outcome
    return outcome.offer_id


async def _ignore(_: OfferOutcome) -> None:
    return None


async def landed(adapter: BolAdapter, outcome: OfferOutcome) -> bool:
    """bol took the update and its processes ended well (the offer sync
    follows them beside its next rounds; here we wait for them)."""
    if outcome.accepted:
        return True
    if outcome.reasons or not outcome.pending_processes:
        return False
    ends = await adapter.offer_update_ends(outcome.pending_processes)
    return all(end.succeeded for end in ends.values())


async def test_a_create_refused_as_a_duplicate_takes_over_the_existing_offer(bol: SandboxedBol, adapter: BolAdapter):
    # An earlier attempt created the offer; the worker died before it heard back.
    orphan = await created(adapter, wanted(MUG["ean"], stock=3, price="9.99"))

    [outcome] = await adapter.push_offers([create(wanted(MUG["ean"], stock=7))], _ignore)

    assert outcome.offer_id == orphan
    assert await landed(adapter, outcome)
    [offer] = [o for o in bol.state.offers() if not o["deleted"]]
    assert offer["offerId"] == orphan
    assert offer["stock"]["amount"] == 7
    assert offer["pricing"]["bundlePrices"][0]["unitPrice"] == 12.95


async def test_every_duplicate_of_a_round_is_found_with_one_export(bol: SandboxedBol, adapter: BolAdapter):
    mug = await created(adapter, wanted(MUG["ean"], stock=1))
    lamp = await created(adapter, wanted(LAMP["ean"], stock=1))

    outcomes = await adapter.push_offers([create(wanted(MUG["ean"], 5)), create(wanted(LAMP["ean"], 6))], _ignore)

    assert {o.offer_id for o in outcomes} == {mug, lamp}
    assert all([await landed(adapter, o) for o in outcomes])
    exports = [r for r in bol.state.requests("/retailer/offers/export") if r["method"] == "POST"]
    assert len(exports) == 1


async def test_a_push_that_fails_records_nothing_afterwards(bol: SandboxedBol, adapter: BolAdapter):
    mug = await created(adapter, wanted(MUG["ean"], stock=1))
    lamp = await created(adapter, wanted(LAMP["ean"], stock=1))
    bol.state.add_fault(path=f"/retailer/offers/{mug}/stock", kind="status", status=503, times=1)
    bol.state.add_fault(path=f"/retailer/offers/{lamp}/stock", kind="slow", delaySeconds=0.5, times=1)
    recorded: list[OfferOutcome] = []

    async def record(outcome: OfferOutcome) -> None:
        recorded.append(outcome)

    changes = [
        OfferChange(sku=f"SKU-{ean}", offer_id=offer_id, kinds=[OfferChangeKind.STOCK], desired=wanted(ean, 9))
        for ean, offer_id in ((MUG["ean"], mug), (LAMP["ean"], lamp))
    ]
    with pytest.raises(MarketplaceUnavailable):
        await adapter.push_offers(changes, record)
    # The retry of this attempt owns the offers now: nothing of this one may land.
    await asyncio.sleep(1.0)
    assert recorded == []


async def test_when_the_export_is_refused_the_rest_of_the_round_still_goes_through(
    bol: SandboxedBol, adapter: BolAdapter
):
    orphan = await created(adapter, wanted(MUG["ean"], stock=1))
    lamp = await created(adapter, wanted(LAMP["ean"], stock=1))
    bol.state.add_fault(path="/retailer/offers/export", kind="rate_limit", retryAfter=3600)  # bol's hourly export limit
    lamp_stock = OfferChange(
        sku="SKU-LAMP", offer_id=lamp, kinds=[OfferChangeKind.STOCK], desired=wanted(LAMP["ean"], 8)
    )

    outcomes = {o.sku: o for o in await adapter.push_offers([create(wanted(MUG["ean"], 5)), lamp_stock], _ignore)}

    assert await landed(adapter, outcomes[f"SKU-{LAMP['ean']}"])
    assert bol.state.offer(lamp)["stock"]["amount"] == 8
    duplicate = outcomes[f"SKU-{MUG['ean']}"]
    assert not duplicate.accepted and "already exists" in duplicate.reasons[0]
    assert bol.state.offer(orphan)["stock"]["amount"] == 1  # taken over later, not lost
