from collections.abc import Callable
from decimal import Decimal

import httpx
import pytest

from activities.marketplaces.plaza.client import PlazaClient
from activities.marketplaces.plaza.xml import PlazaError, build_errors, build_service_error, parse_upsert_request
from domain.errors import BusinessError, MarketplaceUnavailable, RateLimited
from sandbox.plaza.checks import UNKNOWN_EAN_MESSAGE
from tests.plaza.factories import desired_offer, desired_offers, ean13
from tests.plaza.support import BASE_URL, KEYS, SandboxedPlaza


async def test_120_offers_go_out_in_3_requests_and_are_all_stored(client: PlazaClient, plaza: SandboxedPlaza) -> None:
    result = await client.upsert(desired_offers(120))

    assert result.requests == 3
    assert len(result.accepted) == 120 and result.rejected == []
    assert len(await plaza.control("/_sandbox/offers")) == 120
    log = await plaza.control("/_sandbox/requests")
    assert [(r["offers"], r["status"]) for r in log["requests"]] == [(50, 202), (50, 202), (20, 202)]


async def test_an_offer_only_bol_refuses_does_not_block_the_other_119(
    start_plaza: Callable[..., SandboxedPlaza],
) -> None:
    offers = desired_offers(120)
    unknown = offers[70]
    plaza = start_plaza(known_eans={o.ean for o in offers if o is not unknown})
    client = plaza.client()

    result = await client.upsert(offers)
    await client.aclose()

    [rejected] = result.rejected
    assert (rejected.sku, rejected.ean, rejected.source) == (unknown.sku, unknown.ean, "server")
    assert [v.name for v in rejected.violations] == ["EAN"]
    assert UNKNOWN_EAN_MESSAGE in rejected.violations[0].reason
    assert len(result.accepted) == 119
    stored = {o["EAN"] for o in await plaza.control("/_sandbox/offers")}
    assert stored == {o.ean for o in offers} - {unknown.ean}
    # The error named the EAN, so only its batch was sent a second time.
    assert result.requests == 4


async def test_a_locally_invalid_offer_is_never_sent_and_names_its_field(
    client: PlazaClient, plaza: SandboxedPlaza
) -> None:
    offers = [desired_offer(1), desired_offer(2, delivery_code="tomorrow"), desired_offer(3, reference="R" * 21)]

    result = await client.upsert(offers)

    assert [(r.sku, r.source, [v.name for v in r.violations]) for r in result.rejected] == [
        ("SKU-2", "local", ["DeliveryCode"]),
        ("SKU-3", "local", ["ReferenceCode"]),
    ]
    assert [a.sku for a in result.accepted] == ["SKU-1"]
    log = await plaza.control("/_sandbox/requests")
    assert [r["offers"] for r in log["requests"]] == [1]
    assert [o["EAN"] for o in await plaza.control("/_sandbox/offers")] == [ean13(1)]


async def test_nothing_is_sent_when_no_offer_is_valid(client: PlazaClient, plaza: SandboxedPlaza) -> None:
    result = await client.upsert([desired_offer(1, price=Decimal("10000"))])

    assert result.requests == 0 and [r.sku for r in result.rejected] == ["SKU-1"]
    assert plaza.state.requests == []


async def test_the_same_offer_twice_in_one_upsert_is_sent_once(client: PlazaClient, plaza: SandboxedPlaza) -> None:
    result = await client.upsert([desired_offer(1), desired_offer(1, price=Decimal("9.99"))])

    assert [a.sku for a in result.accepted] == ["SKU-1"]
    assert [(r.source, r.violations[0].name) for r in result.rejected] == [("local", "EAN")]
    [stored] = await plaza.control("/_sandbox/offers")
    assert stored["Price"] == "12.50"


def _silent_server(poison_price: str, stored: list[str]) -> httpx.MockTransport:
    """A server that refuses any batch holding the poisoned offer without
    saying which offer it means."""

    def handle(request: httpx.Request) -> httpx.Response:
        offers = parse_upsert_request(request.content)
        if any(f"{o.price:f}" == poison_price for o in offers):
            error = PlazaError(code="41100", message="Price is far above the market price", field="Price")
            return httpx.Response(400, content=build_errors([error]))
        stored.extend(o.ean for o in offers)
        return httpx.Response(202)

    return httpx.MockTransport(handle)


async def test_when_bol_does_not_say_which_offer_it_means_the_batch_is_halved() -> None:
    stored: list[str] = []
    offers = [desired_offer(n, price=Decimal("13.37") if n == 17 else Decimal("10")) for n in range(50)]
    client = PlazaClient(BASE_URL, **KEYS, transport=_silent_server("13.37", stored))

    result = await client.upsert(offers)
    await client.aclose()

    [rejected] = result.rejected
    assert (rejected.sku, rejected.source) == ("SKU-17", "server")
    [violation] = rejected.violations
    assert (violation.name, violation.reason) == ("Price", "Price is far above the market price [41100]")
    assert sorted(stored) == sorted(o.ean for o in offers if o.sku != "SKU-17")
    assert result.requests <= 13  # one per halving level and side, not one per offer


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (httpx.Response(409, text="BOL-ERROR [PAI-41501] = Too many requests"), RateLimited),
        (httpx.Response(503, text="down for maintenance"), MarketplaceUnavailable),
        (httpx.Response(401, content=build_service_error(PlazaError(code="41202", message="bad"))), BusinessError),
        (httpx.Response(403, text="forbidden"), BusinessError),
    ],
    ids=["409-rate-limit", "503", "401", "403"],
)
async def test_http_failures_map_to_the_error_taxonomy(response: httpx.Response, error: type[Exception]) -> None:
    client = PlazaClient(BASE_URL, **KEYS, transport=httpx.MockTransport(lambda _request: response))

    with pytest.raises(error) as raised:
        await client.upsert([desired_offer(1)])
    await client.aclose()

    assert type(raised.value) is error
    assert str(response.status_code) in str(raised.value)


async def test_an_unreachable_server_is_retryable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = PlazaClient(BASE_URL, **KEYS, transport=httpx.MockTransport(refuse))

    with pytest.raises(MarketplaceUnavailable):
        await client.upsert([desired_offer(1)])
    await client.aclose()


async def test_a_wrong_private_key_is_a_business_error(plaza: SandboxedPlaza) -> None:
    client = plaza.client(private_key="not-the-key")

    with pytest.raises(BusinessError) as raised:
        await client.upsert([desired_offer(1)])
    await client.aclose()

    assert raised.value.status == 401
    assert "41202" in str(raised.value)
    assert plaza.state.offers == {}
