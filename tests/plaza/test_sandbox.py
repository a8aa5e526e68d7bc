from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from activities.marketplaces.plaza.client import PlazaClient
from activities.marketplaces.plaza.xml import build_upsert_request, offer_from_desired, parse_errors
from domain.offers.condition import OfferCondition
from tests.plaza.factories import desired_offer, ean13
from tests.plaza.payloads import BILLION_LAUGHS, EXTERNAL_ENTITY, SMALL_ENTITY_EXPANSION, upsert_body
from tests.plaza.support import SandboxedPlaza


async def test_a_plain_signed_request_is_accepted(plaza: SandboxedPlaza) -> None:
    # The control case for the hostile payloads below: same body, no DTD.
    response = await plaza.put(upsert_body(""))

    assert response.status_code == 202
    assert len(plaza.state.offers) == 1


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        # libxml2's own amplification guard trips before our DTD check gets a say.
        (BILLION_LAUGHS, "entity"),
        (SMALL_ENTITY_EXPANSION, "DTD"),
        (EXTERNAL_ENTITY, "DTD"),
    ],
    ids=["billion-laughs", "entity-expansion", "external-entity"],
)
async def test_dtd_and_entity_payloads_are_refused_and_nothing_is_stored(
    plaza: SandboxedPlaza, payload: bytes, reason: str
) -> None:
    response = await plaza.put(payload)

    assert response.status_code == 400
    [error] = parse_errors(response.content)
    assert error.code == "41100" and error.field is None  # a ServiceError, not an offer's ValidationError
    assert reason in error.message
    assert "root:" not in response.text
    assert plaza.state.offers == {}
    assert [(r.offers, r.status) for r in plaza.state.requests] == [(0, 400)]


async def test_a_bad_signature_is_refused_with_401(plaza: SandboxedPlaza) -> None:
    response = await plaza.put(upsert_body(""), private_key="guessed")

    assert response.status_code == 401
    assert [e.code for e in parse_errors(response.content)] == ["41202"]
    assert plaza.state.offers == {}


async def test_a_date_outside_15_minutes_is_refused_with_401(plaza: SandboxedPlaza) -> None:
    response = await plaza.put(upsert_body(""), now=datetime.now(UTC) - timedelta(minutes=16))

    assert response.status_code == 401
    assert plaza.state.offers == {}


async def test_one_invalid_offer_rejects_the_whole_batch(plaza: SandboxedPlaza) -> None:
    good = offer_from_desired(desired_offer(1))
    bad = offer_from_desired(desired_offer(2)).model_copy(update={"delivery_code": "soon"})

    response = await plaza.put(build_upsert_request([good, bad]))

    assert response.status_code == 400
    [error] = parse_errors(response.content)
    assert (error.code, error.field, error.value) == ("41104", "DeliveryCode", "soon")
    assert plaza.state.offers == {}


async def test_ean_and_condition_identify_an_offer(client: PlazaClient, plaza: SandboxedPlaza) -> None:
    await client.upsert([desired_offer(1), desired_offer(1, condition=OfferCondition.GOOD)])
    await client.upsert([desired_offer(1, price=Decimal("11.00"))])

    offers = await plaza.control("/_sandbox/offers")
    assert sorted((o["EAN"], o["Condition"], o["Price"]) for o in offers) == [
        (ean13(1), "GOOD", "12.50"),
        (ean13(1), "NEW", "11.00"),
    ]


async def test_reset_forgets_offers_and_requests(client: PlazaClient, plaza: SandboxedPlaza) -> None:
    await client.upsert([desired_offer(1)])

    async with plaza.control_client() as http:
        assert (await http.post("/_sandbox/reset")).status_code == 204

    assert await plaza.control("/_sandbox/offers") == []
    assert await plaza.control("/_sandbox/requests") == {"count": 0, "requests": []}


async def test_the_stock_history_lists_each_accepted_level_with_its_time(plaza: SandboxedPlaza) -> None:
    # What the propagation benchmark measures a sale against: refused
    # upserts leave no trace, accepted ones are kept in order.
    def with_stock(quantity: int) -> bytes:
        return upsert_body("").replace(b"<QuantityInStock>1<", f"<QuantityInStock>{quantity}<".encode())

    before = datetime.now(UTC)
    assert (await plaza.put(with_stock(7))).status_code == 202
    assert (await plaza.put(with_stock(6), private_key="guessed")).status_code == 401
    assert (await plaza.put(with_stock(5))).status_code == 202

    history = await plaza.control("/_sandbox/stock-history")

    assert [(e["condition"], e["value"]) for e in history[ean13(0)]] == [("GOOD", 7), ("GOOD", 5)]
    times = [datetime.fromisoformat(e["at"]) for e in history[ean13(0)]]
    assert before <= times[0] <= times[1] <= datetime.now(UTC)
