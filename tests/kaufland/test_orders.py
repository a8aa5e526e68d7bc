"""The Kaufland adapter's orders against the Kaufland sandbox: units become
lines, commands reach exactly the right units, at most once."""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from activities.marketplaces.base import CommandContext
from activities.marketplaces.kaufland.adapter import KauflandAdapter
from activities.marketplaces.kaufland.ids import InvalidKauflandId
from domain.errors import BusinessError, MarketplaceUnavailable
from domain.intake import UnreadableItem
from domain.order.aftersales import InvoiceFile
from domain.order.view import LineQuantity, Transport
from domain.reasons import CancellationReason, ReturnHandling
from domain.storefronts import Storefront
from tests.support import SandboxedKaufland, kaufland_channel

MUG = {"ean": "8710103917885", "price": 1295, "title": "Blue enamel mug", "id_offer": "MUG-BLUE"}
LAMP = {"ean": "4006381333931", "price": 4999, "title": "Desk lamp, brass", "id_offer": "LAMP-DESK"}
DHL = Transport(transporter_code="DHL", track_and_trace="00340434161094042557")


def adapter_on(
    kaufland: SandboxedKaufland, transport: httpx.AsyncBaseTransport | None = None, **config
) -> KauflandAdapter:
    return KauflandAdapter(
        "kl", kaufland_channel(kaufland.api_url, **config), transport=transport or kaufland.transport
    )


async def test_units_of_one_offer_become_one_line_priced_in_the_storefronts_currency(kaufland):
    placed = await kaufland.place_order([{**MUG, "quantity": 3}, LAMP], storefront="cz")
    adapter = adapter_on(kaufland, storefront=Storefront.CZ)
    try:
        order = await adapter.get_order(placed["id_order"])
    finally:
        await adapter.aclose()

    units = [u["id_order_unit"] for u in placed["order_units"]]
    assert order.currency == "CZK"
    assert [(line.sku, line.quantity, line.unit_price) for line in order.lines] == [
        ("MUG-BLUE", 3, Decimal("12.95")),
        ("LAMP-DESK", 1, Decimal("49.99")),
    ]
    assert order.lines[0].marketplace_unit_ids == [str(u) for u in units[:3]]
    assert order.lines[0].line_id == str(units[0])
    assert order.shipping_address.country_code == "DE" and order.shipping_address.email


async def test_changed_units_are_read_with_an_overlap_and_a_sweep_reads_every_open_one(kaufland):
    placed = await kaufland.place_order([MUG])
    adapter = adapter_on(kaufland)
    now = datetime.now(UTC)
    try:
        # A cursor a minute past the unit's last change still sees it (the overlap) ...
        overlapping = await adapter.changed_orders(now + timedelta(minutes=1), now)
        # ... one well past it does not; the sweep (no cursor) does again.
        later = await adapter.changed_orders(now + timedelta(minutes=10), now)
        swept = await adapter.changed_orders(None, now)
    finally:
        await adapter.aclose()

    assert [c.marketplace_order_id for c in overlapping] == [placed["id_order"]]
    assert later == []
    assert [c.marketplace_order_id for c in swept] == [placed["id_order"]]
    listed = await kaufland.get("/_sandbox/requests?path=/v2/order-units")
    assert listed[0]["query"]["sort"] == "ts_updated:desc" and "ts_updated_from_iso" in listed[0]["query"]
    assert "ts_updated_from_iso" not in listed[2]["query"]


async def test_a_unit_kaufland_lists_in_an_unreadable_shape_is_skipped_and_named(kaufland):
    good = await kaufland.place_order([MUG])
    bad = await kaufland.place_order([LAMP])
    bad_unit = bad["order_units"][0]["id_order_unit"]
    await kaufland.post("/_sandbox/faults", {"path": "/v2/order-units", "kind": "malformed", "itemId": str(bad_unit)})
    skipped: list[UnreadableItem] = []
    adapter = adapter_on(kaufland)
    try:
        changes = await adapter.changed_orders(None, datetime.now(UTC), skip=skipped.append)
    finally:
        await adapter.aclose()

    assert [c.marketplace_order_id for c in changes] == [good["id_order"]]
    assert [(s.kind, s.item_id) for s in skipped] == [("order", bad["id_order"])]


class LoseFirstAnswer(httpx.AsyncBaseTransport):
    """Kaufland does the first matching command, and its answer never arrives."""

    def __init__(self, inner: httpx.AsyncBaseTransport, matches: Callable[[httpx.Request], bool]):
        self.inner, self.matches, self.lost = inner, matches, False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if not self.lost and self.matches(request):
            self.lost = True
            raise httpx.ReadError("connection reset", request=request)
        return response


async def test_a_shipment_whose_answer_was_lost_is_not_sent_again(kaufland):
    placed = await kaufland.place_order([{**MUG, "quantity": 2}])
    transport = LoseFirstAnswer(kaufland.transport, lambda r: r.method == "PATCH")
    adapter = adapter_on(kaufland, transport)
    order = await adapter.get_order(placed["id_order"])
    line = [LineQuantity(line_id=order.lines[0].line_id, quantity=2)]
    try:
        with pytest.raises(MarketplaceUnavailable):
            await adapter.ship(placed["id_order"], line, {}, DHL, None, CommandContext())
        # Temporal's retry of the activity: the same command, the same knowledge.
        result = await adapter.ship(placed["id_order"], line, {}, DHL, None, CommandContext(check_pending=True))
    finally:
        await adapter.aclose()

    assert result.shipped == line
    assert [s["id_order_unit"] for s in await kaufland.get("/_sandbox/sends")] == [
        u["id_order_unit"] for u in placed["order_units"]
    ]


async def test_a_unit_cancelled_for_the_buyer_while_it_ships_is_reported_not_shipped(kaufland):
    placed = await kaufland.place_order([{**MUG, "quantity": 2}])
    first, second = (u["id_order_unit"] for u in placed["order_units"])

    class CancelJustBeforeSend(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "PATCH" and request.url.path.endswith(f"/{second}/send"):
                await kaufland.post(f"/_sandbox/order-units/{second}/customer-cancel")
            return await kaufland.transport.handle_async_request(request)

    adapter = adapter_on(kaufland, CancelJustBeforeSend())
    mug = str(first)
    try:
        result = await adapter.ship(
            placed["id_order"], [LineQuantity(line_id=mug, quantity=2)], {}, DHL, None, CommandContext()
        )
    finally:
        await adapter.aclose()

    assert result.shipped == [LineQuantity(line_id=mug, quantity=1)]
    assert result.cancellation_requested_line_ids == [mug]
    assert [s["id_order_unit"] for s in await kaufland.get("/_sandbox/sends")] == [first]


@pytest.mark.parametrize(
    ("transport", "field"),
    [
        (Transport(transporter_code="PIGEON", track_and_trace="1"), "carrier_code"),
        (Transport(transporter_code="DHL"), "tracking_numbers"),
    ],
    ids=["unknown carrier", "no tracking number"],
)
async def test_a_shipment_kaufland_would_refuse_is_a_business_error_naming_the_field(kaufland, transport, field):
    placed = await kaufland.place_order([MUG])
    adapter = adapter_on(kaufland)
    line = [LineQuantity(line_id=str(placed["order_units"][0]["id_order_unit"]), quantity=1)]
    try:
        with pytest.raises(BusinessError) as refused:
            await adapter.ship(placed["id_order"], line, {}, transport, None, CommandContext())
    finally:
        await adapter.aclose()

    assert [v.name for v in refused.value.violations] == [field]
    assert await kaufland.get("/_sandbox/sends") == []


async def test_without_a_tracking_number_other_is_a_carrier_kaufland_takes(kaufland):
    placed = await kaufland.place_order([MUG])
    adapter = adapter_on(kaufland)
    line = [LineQuantity(line_id=str(placed["order_units"][0]["id_order_unit"]), quantity=1)]
    try:
        await adapter.ship(placed["id_order"], line, {}, Transport(transporter_code="OTHER"), None, CommandContext())
    finally:
        await adapter.aclose()

    assert [(s["carrier_code"], s["tracking_numbers"]) for s in await kaufland.get("/_sandbox/sends")] == [
        ("Other", "")
    ]


async def test_two_channels_of_one_seller_account_share_its_rate_budget_and_earn_no_429():
    """Kaufland counts requests per seller account across storefronts: two
    channels (de, at) of one account together stay within it."""
    kaufland = SandboxedKaufland.start(requests_per_second=25)
    de = adapter_on(kaufland, requests_per_second=20)
    at = adapter_on(kaufland, requests_per_second=20, storefront=Storefront.AT)
    try:
        calls = [adapter.http.call("GET", "/status/ping") for _ in range(15) for adapter in (de, at)]
        outcomes = await asyncio.gather(*calls, return_exceptions=True)
    finally:
        await de.aclose()
        await at.aclose()

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert {r["status"] for r in await kaufland.get("/_sandbox/requests")} == {200}


async def test_a_server_error_is_retryable_and_a_refusal_names_kauflands_field(kaufland):
    await kaufland.post("/_sandbox/faults", {"path": "/v2/orders", "kind": "status", "status": 503, "times": 1})
    adapter = adapter_on(kaufland)
    try:
        with pytest.raises(MarketplaceUnavailable):
            await adapter.get_order("ABC123")
        with pytest.raises(BusinessError) as missing:
            await adapter.get_order("ABC123")
        with pytest.raises(ValueError, match="id_order"):
            await adapter.get_order("../units")
    finally:
        await adapter.aclose()

    assert missing.value.status == 404


class Recorded(httpx.AsyncBaseTransport):
    """Every request the adapter sends, on its way to the sandbox."""

    def __init__(self, inner: httpx.AsyncBaseTransport):
        self.inner = inner
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        return await self.inner.handle_async_request(request)


FORGED_ORDER_IDS = ["K1/../units", "K1#x", "K1?embedded=buyer", "../offers", "K 1", ""]
FORGED_UNIT_IDS = ["1/../2", "1#x", "-1", "0", "1 2", "1?x=1"]


async def test_an_id_not_in_kauflands_format_is_refused_before_any_request(kaufland):
    """A forged id (from a push, a typed command or a garbled listing) never
    reaches a URL path, where it could read or change another resource with
    the seller's keys."""
    recorded = Recorded(kaufland.transport)
    adapter = adapter_on(kaufland, recorded)
    pdf = InvoiceFile(filename="invoice.pdf", content=b"%PDF-1.4 invoice")
    try:
        for forged in FORGED_ORDER_IDS:
            with pytest.raises(InvalidKauflandId, match="id_order"):
                await adapter.get_order(forged)
            with pytest.raises(InvalidKauflandId, match="id_order"):
                await adapter.upload_invoice(forged, pdf)
            with pytest.raises(InvalidKauflandId, match="id_order"):
                await adapter.cancel_line(forged, "1", CancellationReason.OUT_OF_STOCK, CommandContext())
        for forged in FORGED_UNIT_IDS:
            with pytest.raises(InvalidKauflandId, match="id_order_unit"):
                await adapter.handle_return(forged, None, ReturnHandling.RETURN_RECEIVED, 1, CommandContext())
        for forged in ("0011/../1", "0011#x", "12"):
            with pytest.raises(ValueError, match="id_ticket"):
                await adapter.reply_ticket(forged, "thanks")
    finally:
        await adapter.aclose()
    assert recorded.paths == []
