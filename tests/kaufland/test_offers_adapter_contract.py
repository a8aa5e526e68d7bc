"""Every request the Kaufland offer adapter sends, and every answer the
sandbox gives it, validates against Kaufland's official spec: units created,
changed, read, read back page by page, deleted, and a round sent as an
import file the adapter serves itself."""

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
import pytest_asyncio

from activities.marketplaces.kaufland.adapter import KauflandAdapter
from domain.errors import MarketplaceUnavailable, RateLimited
from domain.offers.model import DesiredOffer, OfferChange, OfferChangeKind, OfferOutcome
from starter.demo_catalog import DEMO_PRODUCTS
from tests.contract.openapi import ContractValidator
from tests.support import SandboxedKaufland, kaufland_channel

PRODUCTS = DEMO_PRODUCTS[:4]


def desired(n: int, stock: int = 5, price: str = "12.95", on_hold: bool = False, code: str = "1") -> DesiredOffer:
    product = PRODUCTS[n]
    return DesiredOffer(
        sku=product.sku, ean=product.ean, price=Decimal(price), stock=stock, delivery_code=code, on_hold=on_hold
    )


def change(want: DesiredOffer, *kinds: OfferChangeKind, offer_id: str | None = None) -> OfferChange:
    return OfferChange(sku=want.sku, offer_id=offer_id, kinds=list(kinds), desired=want)


async def ignore(_outcome: OfferOutcome) -> None:
    return None


@pytest.fixture
def validator() -> ContractValidator:
    return ContractValidator(["kaufland-seller-v2"])


@pytest.fixture
def box() -> SandboxedKaufland:
    return SandboxedKaufland.start(import_step_seconds=0.01)


@pytest_asyncio.fixture
async def adapter(validator: ContractValidator, box: SandboxedKaufland) -> AsyncIterator[KauflandAdapter]:
    config = kaufland_channel(box.api_url, import_file_threshold=3, import_file_poll="PT0.02S")
    adapter = KauflandAdapter("kaufland", config, transport=validator.transport(box.transport))
    yield adapter
    await adapter.aclose()


async def test_unit_by_unit_and_by_import_file_every_exchange_is_in_the_spec(
    adapter: KauflandAdapter, box: SandboxedKaufland, validator: ContractValidator
):
    created = await adapter.push_offers([change(desired(0), OfferChangeKind.CREATE)], ignore)
    [mug] = created
    assert mug.accepted and mug.offer_id
    changes = [
        change(desired(0, stock=2, price="13.50"), OfferChangeKind.STOCK, OfferChangeKind.PRICE, offer_id=mug.offer_id),
        change(
            desired(0, stock=2, price="13.50", on_hold=True, code="4"), OfferChangeKind.DETAILS, offer_id=mug.offer_id
        ),
    ]
    for each in changes:
        [outcome] = await adapter.push_offers([each], ignore)
        assert outcome.accepted, outcome.reasons
    live = await adapter.live_offer(mug.offer_id)
    assert (live.stock, live.price, live.on_hold, live.delivery_code) == (2, Decimal("13.50"), True, "4")

    # Three creates reach the threshold: one import file, served by the adapter.
    bulk = await adapter.push_offers([change(desired(n), OfferChangeKind.CREATE) for n in (1, 2, 3)], ignore)
    assert all(o.accepted and o.offer_id for o in bulk)
    registered = [r for r in box.state.requests("/v2/import-files/inventory-command") if r["method"] == "POST"]
    assert len(registered) == 1
    export = await adapter.export_offers()
    assert sorted(o.reference or "" for o in export.offers) == sorted(p.sku for p in PRODUCTS)
    assert {o.ean for o in export.offers} == {p.ean for p in PRODUCTS}

    await adapter.offers.delete(mug.offer_id)
    await adapter.offers.delete(mug.offer_id)  # already gone: still deleted
    assert len(box.state.offer_units()) == 3
    validator.assert_clean()
    assert {"POST /v2/units", "PATCH /v2/units/{id_unit}", "GET /v2/units/{id_unit}", "GET /v2/units"} <= {
        _template(entry) for entry in validator.checked
    }


async def test_a_create_whose_answer_was_lost_is_not_sent_twice(adapter: KauflandAdapter, box: SandboxedKaufland):
    [first] = await adapter.push_offers([change(desired(0), OfferChangeKind.CREATE)], ignore)
    # The retry does not know the unit exists: it finds it by id_offer and brings it in line.
    [again] = await adapter.push_offers([change(desired(0, stock=9), OfferChangeKind.CREATE)], ignore)
    assert again.offer_id == first.offer_id
    assert [u["amount"] for u in box.state.offer_units()] == [9]
    assert len([r for r in box.state.requests("/v2/units") if r["method"] == "POST"]) == 1


async def test_a_refused_change_names_the_field_and_spares_the_others(adapter: KauflandAdapter):
    [mug] = await adapter.push_offers([change(desired(0), OfferChangeKind.CREATE)], ignore)
    assert mug.offer_id
    outcomes = await adapter.push_offers(
        [
            change(desired(1, price="0.00"), OfferChangeKind.CREATE),
            change(desired(2, code="next week"), OfferChangeKind.CREATE),
            change(desired(0, stock=3), OfferChangeKind.STOCK, offer_id=mug.offer_id),
        ],
        ignore,
    )
    refused, unknown_code, taken = outcomes
    # Three changes: one import file, whose line for the refused price is named.
    assert not refused.accepted and refused.reasons == ["import file line 1: price: must be at least 1"]
    assert not unknown_code.accepted and "delivery code 'next week'" in unknown_code.reasons[0]
    assert taken.accepted


def _template(entry: str) -> str:
    method_path = entry.rsplit(" -> ", 1)[0]
    method, path = method_path.split(" ", 1)
    parts = ["{id_unit}" if part.isdigit() else part for part in path.split("/")]
    return f"{method} {'/'.join(parts)}"


async def test_kaufland_s_429_fails_the_round_as_a_rate_limit_to_retry(
    adapter: KauflandAdapter, box: SandboxedKaufland
):
    [mug] = await adapter.push_offers([change(desired(0), OfferChangeKind.CREATE)], ignore)
    box.state.add_fault(path="/v2/units/", method="PATCH", kind="rate_limit", times=1)
    with pytest.raises(RateLimited):
        await adapter.push_offers([change(desired(0, stock=1), OfferChangeKind.STOCK, offer_id=mug.offer_id)], ignore)


async def test_a_file_kaufland_cannot_download_is_retried_not_rejected(box: SandboxedKaufland):
    # The public URL Kaufland is told leads nowhere (a proxy not set up, say).
    config = kaufland_channel(
        box.api_url, import_file_threshold=1, import_file_poll="PT0.02S", import_files_public_url="http://127.0.0.1:9"
    )
    adapter = KauflandAdapter("kaufland", config, transport=box.transport)
    try:
        with pytest.raises(MarketplaceUnavailable, match="could not download"):
            await adapter.push_offers([change(desired(0), OfferChangeKind.CREATE)], ignore)
    finally:
        await adapter.aclose()
    assert box.state.offer_units() == []
