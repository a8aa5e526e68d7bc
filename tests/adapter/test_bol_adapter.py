"""The bol adapter against the bol sandbox: tokens, rate limits, the error
taxonomy, and commands that never happen twice."""

import asyncio
import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from activities.marketplaces.base import CommandContext
from activities.marketplaces.bol import wire
from activities.marketplaces.bol.adapter import BolAdapter
from domain.errors import BusinessError, CommandFailed, MarketplaceUnavailable, RateLimited
from domain.intake import UnreadableItem
from domain.order.view import LineQuantity, Transport
from domain.reasons import CancellationReason, ReturnHandling
from tests.support import bol_channel, eventually
from tests.workflows.helpers import LAMP, MUG

POSTNL = Transport(transporter_code="TNT", track_and_trace="3SBOL0000009")


def requests_to(bol, path: str, method: str | None = None) -> list[dict]:
    return [r for r in bol.state.requests(path) if method is None or r["method"] == method]


async def test_one_token_serves_many_calls_even_when_they_start_together(bol):
    # Its own client id: tokens are cached per client id for the whole process.
    adapter = BolAdapter(
        "bol", bol_channel(bol.url, client_id="sandbox", token_url=f"{bol.url}/token?fresh=1"), transport=bol.transport
    )
    order = await bol.place_order([{**MUG, "quantity": 1}])
    await asyncio.gather(*(adapter.get_order(order["orderId"]) for _ in range(5)))
    await adapter.get_order(order["orderId"])
    await adapter.aclose()
    assert len(requests_to(bol, "/token")) == 1


async def test_an_expired_token_is_refreshed_once_and_the_call_succeeds(bol, adapter):
    order = await bol.place_order([{**MUG, "quantity": 1}])
    await adapter.get_order(order["orderId"])
    tokens_before = len(requests_to(bol, "/token"))  # tokens are cached per process, across tests
    bol.state.add_fault(path="/retailer/orders", kind="expire_token", times=1)
    fetched = await adapter.get_order(order["orderId"])
    assert fetched.marketplace_order_id == order["orderId"]
    assert len(requests_to(bol, "/token")) == tokens_before + 1


async def test_wrong_credentials_are_a_business_error_with_bols_reason(bol):
    adapter = BolAdapter("bol", bol_channel(bol.url, client_id="someone-else"), transport=bol.transport)
    with pytest.raises(BusinessError, match="Bad client credentials"):
        await adapter.get_order("1")
    await adapter.aclose()


async def test_429_becomes_a_retry_after_the_servers_delay_or_none(bol, adapter):
    bol.state.add_fault(path="/retailer/orders", kind="rate_limit", retryAfter=3, times=1)
    with pytest.raises(RateLimited) as limited:
        await adapter.get_order("1043946570")
    assert limited.value.retry_after == timedelta(seconds=3)

    bol.state.add_fault(path="/retailer/returns", kind="rate_limit", retryAfter=None, times=1)
    with pytest.raises(RateLimited) as limited:
        await adapter.open_returns()
    assert limited.value.retry_after is None  # the activity layer backs off with jitter


async def test_the_adapter_stops_calling_an_endpoint_whose_budget_is_spent(bol, adapter):
    bol.state.add_fault(path="/retailer/orders", kind="rate_limit", retryAfter=30, times=1)
    with pytest.raises(RateLimited):
        await adapter.changed_orders(None, datetime.now(UTC))
    sent = len(requests_to(bol, "/retailer/orders"))
    with pytest.raises(RateLimited) as waiting:
        await adapter.changed_orders(None, datetime.now(UTC))
    assert len(requests_to(bol, "/retailer/orders")) == sent  # no hot loop against bol
    assert waiting.value.retry_after is not None and waiting.value.retry_after > timedelta(seconds=20)


async def test_5xx_and_dropped_connections_are_retryable(bol, adapter):
    bol.state.add_fault(path="/retailer/orders", kind="status", status=503, times=1)
    with pytest.raises(MarketplaceUnavailable):
        await adapter.get_order("1043946570")


async def test_a_4xx_carries_bols_violations_naming_the_field(bol, adapter):
    with pytest.raises(BusinessError) as refused:
        await adapter.http.call("PUT", "/retailer/orders/cancellation", json={"orderItems": []})
    assert refused.value.status == 400
    assert any("orderItems" in v.name for v in refused.value.violations)


async def test_ship_then_ship_again_after_a_lost_response_sends_once(bol, adapter):
    order = await bol.place_order([{**MUG, "quantity": 2}])
    item = order["orderItems"][0]["orderItemId"]
    first = await adapter.ship(
        order["orderId"], [LineQuantity(line_id=item, quantity=2)], {}, POSTNL, None, CommandContext()
    )
    assert first.shipped == [LineQuantity(line_id=item, quantity=2)]
    # The workflow never heard back and asks again with what it knew before.
    again = await adapter.ship(
        order["orderId"], [LineQuantity(line_id=item, quantity=2)], {}, POSTNL, None, CommandContext(check_pending=True)
    )
    assert again.shipped == [LineQuantity(line_id=item, quantity=2)]
    assert len(requests_to(bol, "/retailer/shipments", "POST")) == 1
    assert bol.state.shipments()[0]["trackAndTrace"] == "3SBOL0000009"


async def test_a_retry_follows_the_command_still_in_flight_instead_of_sending_again(bol, adapter):
    bol.state.update_config(process_delay_seconds=0.5)
    order = await bol.place_order([{**MUG, "quantity": 1}])
    item = order["orderItems"][0]["orderItemId"]
    # The first attempt's POST reached bol, then the worker died before it heard the answer.
    lines = [LineQuantity(line_id=item, quantity=1)]
    body = {"orderItems": [{"orderItemId": item, "quantity": 1}], "transport": {"transporterCode": "TNT"}}
    await adapter.http.call("POST", "/retailer/shipments", json=body, ok=(202,))
    result = await adapter.ship(order["orderId"], lines, {}, POSTNL, None, CommandContext(check_pending=True))
    assert result.shipped == lines
    assert len(requests_to(bol, "/retailer/shipments", "POST")) == 1
    assert len(bol.state.shipments()) == 1


async def test_a_line_the_buyer_asked_to_cancel_is_not_shipped(bol, adapter):
    order = await bol.place_order([{**MUG, "quantity": 1}, {**LAMP, "quantity": 1}])
    mug, lamp = (i["orderItemId"] for i in order["orderItems"])
    bol.state.request_cancellation(order["orderId"], [mug])
    lines = [LineQuantity(line_id=mug, quantity=1), LineQuantity(line_id=lamp, quantity=1)]
    result = await adapter.ship(order["orderId"], lines, {}, POSTNL, None, CommandContext())
    assert result.cancellation_requested_line_ids == [mug]
    assert result.shipped == [LineQuantity(line_id=lamp, quantity=1)]


async def test_process_failure_and_timeout_are_business_outcomes(bol, adapter):
    order = await bol.place_order([{**MUG, "quantity": 1}, {**LAMP, "quantity": 1}])
    mug, lamp = (i["orderItemId"] for i in order["orderItems"])
    bol.state.add_fault(
        path="/retailer/orders/cancellation", kind="process_failure", errorMessage="Item already handed over", times=1
    )
    with pytest.raises(CommandFailed, match="Item already handed over"):
        await adapter.cancel_line(order["orderId"], mug, CancellationReason.OUT_OF_STOCK, CommandContext())
    bol.state.add_fault(path="/retailer/orders/cancellation", kind="process_timeout", delaySeconds=0.05, times=1)
    with pytest.raises(CommandFailed, match="TIMEOUT"):
        await adapter.cancel_line(order["orderId"], lamp, CancellationReason.OUT_OF_STOCK, CommandContext())
    assert bol.state.cancellations() == []


async def test_many_pending_commands_are_looked_up_in_bulk(bol, adapter):
    bol.state.update_config(process_delay_seconds=0.3)
    orders = [await bol.place_order([{**MUG, "quantity": 1}]) for _ in range(6)]
    # bol answers the six shipments together, so their processes are pending
    # together however slowly a loaded machine sends them.
    bol.state.add_fault(path="/retailer/shipments", method="POST", kind="hold", times=6)

    async def release_when_all_are_held() -> None:
        await eventually(lambda: len(bol.state.holds()) == 6, interval=0.02)
        bol.state.release_holds()

    releasing = asyncio.create_task(release_when_all_are_held())
    await asyncio.gather(
        *(
            adapter.ship(
                o["orderId"],
                [LineQuantity(line_id=o["orderItems"][0]["orderItemId"], quantity=1)],
                {},
                POSTNL,
                None,
                CommandContext(),
            )
            for o in orders
        )
    )
    await releasing
    bulk = list(requests_to(bol, "/shared/process-status", "POST"))
    single = list(requests_to(bol, "/shared/process-status/", "GET"))
    assert bulk, "pending statuses should be looked up together"
    assert len(bulk) + len(single) < 6 * 3  # far fewer than one poll loop per command
    assert len(bol.state.shipments()) == 6


async def test_intake_reads_every_page_and_the_empty_page_shape(bol, adapter):
    bol.state.update_config(page_size=2)
    for _ in range(5):
        await bol.place_order([{**MUG, "quantity": 1}])
    changes = await adapter.changed_orders(None, datetime.now(UTC))
    assert len(changes) == 5 and all(c.open for c in changes)
    orders_calls = requests_to(bol, "/retailer/orders", "GET")
    assert [r["query"].get("page") for r in orders_calls] == ["1", "2", "3", "4"]  # page 4 is `{}`


async def test_a_recent_cursor_asks_only_for_recent_changes(bol, adapter):
    now = datetime.now(UTC)
    await adapter.changed_orders(now - timedelta(minutes=3), now)
    await adapter.changed_orders(now - timedelta(hours=3), now)
    first, second = (r["query"] for r in requests_to(bol, "/retailer/orders", "GET"))
    assert first.get("change-interval-minute") == "4"  # 3 minutes plus one of overlap
    assert "change-interval-minute" not in second  # too old for bol's 60-minute window: read all open orders


def test_unknown_fields_and_values_are_kept_not_fatal(caplog):
    status = wire.ProcessStatus.model_validate({"status": "QUEUED", "brandNewField": 1, "processStatusId": "1"})
    assert status.status == "QUEUED"
    assert "unknown process status value 'QUEUED'" in caplog.text
    page = wire.ReducedOrders.model_validate({})
    assert page.orders == []


@pytest.mark.parametrize("suffix", ["#x", "?page=2", "/../{id}", "%23x"])
async def test_an_order_id_that_is_not_bols_is_refused_before_any_request(bol, adapter, suffix):
    # A forged push's resourceId ends up here: `123#x` would fetch order 123
    # (the rest is a URL fragment) with the seller's token, for a second workflow.
    order = await bol.place_order([{**MUG, "quantity": 1}])
    forged = order["orderId"] + suffix.format(id=order["orderId"])
    before = len(bol.state.requests("/retailer/orders"))
    with pytest.raises(BusinessError, match="orderId"):
        await adapter.get_order(forged)
    assert len(bol.state.requests("/retailer/orders")) == before


@pytest.mark.parametrize("forged", ["../orders/{id}", "1/../../orders/{id}"])
async def test_a_return_or_offer_id_cannot_walk_to_another_resource(bol, adapter, forged):
    order = await bol.place_order([{**MUG, "quantity": 1}])
    before = len(bol.state.requests("/retailer/orders"))
    with pytest.raises(BusinessError):
        await adapter.live_offer(forged.format(id=order["orderId"]))
    ctx = CommandContext()
    with pytest.raises(BusinessError):
        await adapter.handle_return(forged.format(id=order["orderId"]), None, ReturnHandling.RETURN_RECEIVED, 1, ctx)
    assert len(bol.state.requests("/retailer/orders")) == before


class LeadingZerosIgnored(httpx.AsyncBaseTransport):
    """bol, were it to read order ids as numbers: `0123` would be order 123."""

    def __init__(self, inner: httpx.AsyncBaseTransport):
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(path=re.sub(r"^/retailer/orders/0+", "/retailer/orders/", request.url.path))
        return await self.inner.handle_async_request(request)


async def test_an_order_bol_answers_under_another_id_is_refused(bol):
    # Else `0123` and `123` would be two workflows sharing one order's reservation.
    adapter = BolAdapter("bol", bol_channel(bol.url), transport=LeadingZerosIgnored(bol.transport))
    order = await bol.place_order([{**MUG, "quantity": 1}])
    try:
        assert (await adapter.get_order(order["orderId"])).marketplace_order_id == order["orderId"]
        with pytest.raises(BusinessError, match="orderId"):
            await adapter.get_order("0" + order["orderId"])
    finally:
        await adapter.aclose()


async def test_a_listed_order_whose_id_is_not_bols_is_reported_and_the_others_still_arrive(bol, adapter):
    good = await bol.place_order([{**MUG, "quantity": 1}])
    await bol.place_order([{**MUG, "quantity": 1}], orderId="12#3")
    skipped: list[UnreadableItem] = []
    changes = await adapter.changed_orders(None, datetime.now(UTC), skip=skipped.append)
    assert [c.marketplace_order_id for c in changes] == [good["orderId"]]
    assert [(item.kind, item.item_id) for item in skipped] == [("order", "12#3")]
    assert "not in bol's order id format" in skipped[0].reason
