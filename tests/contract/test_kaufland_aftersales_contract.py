"""Kaufland returns, tickets and invoices: every request the adapter sends
and every answer the sandbox gives follow Kaufland's OpenAPI document."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from activities.marketplaces.base import CommandContext
from activities.marketplaces.kaufland.adapter import KauflandAdapter
from activities.marketplaces.kaufland.client import KauflandHttp
from domain.errors import BusinessError
from domain.order.aftersales import InvoiceFile
from domain.order.view import LineQuantity, Transport
from domain.reasons import ReturnHandling
from tests.contract.openapi import ContractValidator
from tests.support import SandboxedKaufland, kaufland_channel

SPEC = ("kaufland-seller-v2",)
PDF = b"%PDF-1.4\n% invoice K-1\n"


@pytest.fixture
def validator() -> ContractValidator:
    return ContractValidator(SPEC)


async def _shipped_order(kaufland: SandboxedKaufland, adapter: KauflandAdapter) -> tuple[dict, str]:
    order = await kaufland.place_order([{"ean": "8710103917885", "quantity": 3, "price": 1295, "id_offer": "MUG"}])
    [line] = (await adapter.get_order(order["id_order"])).lines
    ship = Transport(transporter_code="DHL", track_and_trace="00340434161094042557")
    await adapter.ship(
        order["id_order"], [LineQuantity(line_id=line.line_id, quantity=3)], {}, ship, None, CommandContext()
    )
    return order, line.line_id


async def test_returns_tickets_and_invoices_follow_kauflands_spec(validator):
    kaufland = SandboxedKaufland.start()
    adapter = KauflandAdapter(
        "kl", kaufland_channel(kaufland.api_url), transport=validator.transport(kaufland.transport)
    )
    try:
        order, line_id = await _shipped_order(kaufland, adapter)
        units = [u["id_order_unit"] for u in order["order_units"]]
        # One of three pieces comes back: one notice of one piece, on the line.
        await kaufland.post("/_sandbox/returns", {"id_order_units": [units[1]], "reason": "defect"})
        [notice] = await adapter.open_returns()
        reads = len(kaufland.state.requests(f"/v2/order-units/{units[1]}"))
        assert await adapter.open_returns() == [notice]  # the next poll: its order and line are known
        assert len(kaufland.state.requests(f"/v2/order-units/{units[1]}")) == reads
        assert (notice.marketplace_order_id, notice.line_id, notice.quantity, notice.reason) == (
            order["id_order"],
            line_id,
            1,
            "defect",
        )
        await adapter.handle_return(
            notice.rma_id,
            notice.return_id,
            ReturnHandling.CLARIFY,
            1,
            CommandContext(),
            message="Which part is broken?",
        )
        await adapter.handle_return(notice.rma_id, notice.return_id, ReturnHandling.REPAIR_PRODUCT, 1, CommandContext())
        await adapter.handle_return(
            notice.rma_id, notice.return_id, ReturnHandling.RETURN_RECEIVED, 1, CommandContext()
        )
        # Again (a retry after a lost answer): already done, nothing sent.
        await adapter.handle_return(
            notice.rma_id, notice.return_id, ReturnHandling.RETURN_RECEIVED, 1, CommandContext()
        )
        assert await adapter.open_returns() == []

        old = (datetime.now(UTC) - timedelta(days=2)).isoformat()
        await kaufland.post(
            "/_sandbox/tickets", {"id_order_units": [units[0]], "message": "Where is my mug?", "at": old}
        )
        # The clarification question opened a ticket too; the seller spoke last there.
        tickets = await adapter.open_tickets(order["id_order"])
        [ticket] = [t for t in tickets if t.waiting_since is not None]
        assert len(tickets) == 2 and ticket.messages[0].text == "Where is my mug?"
        assert [t.ticket_id for t in await adapter.open_tickets(None, opened_before=datetime.now(UTC))] == [
            ticket.ticket_id
        ]
        await adapter.reply_ticket(ticket.ticket_id, "It left today with DHL.")
        assert all(t.waiting_since is None for t in await adapter.open_tickets(order["id_order"]))

        receipt = await adapter.upload_invoice(order["id_order"], InvoiceFile(filename="K-1.pdf", content=PDF))
        again = await adapter.upload_invoice(order["id_order"], InvoiceFile(filename="K-1.pdf", content=PDF))
        assert again.references == receipt.references
    finally:
        await adapter.aclose()

    validator.assert_clean()
    assert [i["original_name"] for i in kaufland.state.invoices()] == ["K-1.pdf"]
    [ret] = kaufland.state.return_units()
    assert ret["status"] == "return_accepted"
    assert kaufland.state.unit(units[1])["status"] == "returned"
    assert {kaufland.state.unit(u)["status"] for u in (units[0], units[2])} == {"sent"}
    operations = {c.split(" -> ")[0] for c in validator.checked}
    assert {f"PATCH /v2/return-units/{notice.rma_id}/{verb}" for verb in ("accept", "repair", "clarify")} <= operations


async def test_kauflands_after_sales_refusals_follow_its_spec(validator):
    kaufland = SandboxedKaufland.start()
    adapter = KauflandAdapter(
        "kl", kaufland_channel(kaufland.api_url), transport=validator.transport(kaufland.transport)
    )
    http = KauflandHttp(kaufland_channel(kaufland.api_url), transport=validator.transport(kaufland.transport))
    try:
        order, _ = await _shipped_order(kaufland, adapter)
        [ret] = await kaufland.post("/_sandbox/returns", {"id_order_units": [order["order_units"][0]["id_order_unit"]]})
        unit = ret["id_return_unit"]
        with pytest.raises(BusinessError) as no_message:
            await http.call("PATCH", f"/return-units/{unit}/reject", json_body={})
        await http.call("PATCH", f"/return-units/{unit}/reject", json_body={"message": "Used, not resellable."})
        with pytest.raises(BusinessError) as wrong_status:
            await http.call("PATCH", f"/return-units/{unit}/accept")
        with pytest.raises(BusinessError) as not_pdf:
            await http.call(
                "POST",
                f"/order-invoices/{order['id_order']}",
                json_body={"original_name": "x.pdf", "mime_type": "application/pdf", "data": "aGVsbG8="},
            )
        with pytest.raises(BusinessError) as no_ticket:
            await http.call("GET", "/tickets/0019999")
        with pytest.raises(BusinessError, match="Kaufland has no EXCHANGE_PRODUCT"):
            await adapter.handle_return(str(unit), None, ReturnHandling.EXCHANGE_PRODUCT, 1, CommandContext())
    finally:
        await adapter.aclose()
        await http.aclose()

    # The one request that breaks the spec is the one sent to be refused.
    assert validator.response_errors == []
    [bad] = validator.request_errors
    assert "reject" in bad and "'message' is a required property" in bad
    assert no_message.value.violations[0].name == "message"
    assert wrong_status.value.status == 403 and "unit-wrong-status" in getattr(wrong_status.value, "problem_type", "")
    assert not_pdf.value.violations[0].name == "data"
    assert no_ticket.value.status == 404
    # The rejection reached the buyer in a ticket, as on Kaufland.
    [ticket] = kaufland.state.tickets()
    assert ticket["messages"][0]["text"] == "Used, not resellable."


async def test_a_kept_piece_is_refunded_once_as_kauflands_spec_says(validator):
    kaufland = SandboxedKaufland.start()
    adapter = KauflandAdapter(
        "kl", kaufland_channel(kaufland.api_url), transport=validator.transport(kaufland.transport)
    )
    http = KauflandHttp(kaufland_channel(kaufland.api_url), transport=validator.transport(kaufland.transport))
    try:
        order, _ = await _shipped_order(kaufland, adapter)
        kept, other = (u["id_order_unit"] for u in order["order_units"][:2])
        [ret] = await kaufland.post("/_sandbox/returns", {"id_order_units": [kept]})
        rma = str(ret["id_return_unit"])
        keeps = ReturnHandling.CUSTOMER_KEEPS_PRODUCT_PAID
        await adapter.handle_return(rma, None, keeps, 1, CommandContext())
        # A retry cannot see whether the refund went out: it asks ops, never pays twice.
        with pytest.raises(BusinessError, match="may already have gone out") as retried:
            await adapter.handle_return(rma, None, keeps, 1, CommandContext(check_pending=True))
        # Kaufland's refusals: more than the unit's price, an unknown reason.
        await http.call("PATCH", f"/order-units/{other}/refund", json_body={"amount": 300, "reason": "delivery_delay"})
        with pytest.raises(BusinessError) as too_much:
            await http.call("PATCH", f"/order-units/{other}/refund", json_body={"amount": 1000, "reason": "defect"})
        with pytest.raises(BusinessError) as bad_reason:
            await http.call("PATCH", f"/order-units/{other}/refund", json_body={"amount": 1, "reason": "goodwill"})
    finally:
        await adapter.aclose()
        await http.aclose()

    assert kaufland.state.refunds() == [
        {"id_order_unit": kept, "amount": 1295, "reason": "other_refund"},
        {"id_order_unit": other, "amount": 300, "reason": "delivery_delay"},
    ]
    assert retried.value.violations[0].name == "refund"
    assert too_much.value.violations[0].name == "amount" and "995 cents" in str(too_much.value.violations[0].reason)
    assert bad_reason.value.violations[0].name == "reason"
    # The one request that breaks the spec is the one sent with an unknown reason.
    assert validator.response_errors == []
    [bad] = validator.request_errors
    assert "refund" in bad and "goodwill" in bad
    operations = {c.split(" -> ")[0] for c in validator.checked}
    assert f"PATCH /v2/order-units/{kept}/refund" in operations


async def test_push_subscriptions_follow_kauflands_spec(validator):
    kaufland = SandboxedKaufland.start()
    http = KauflandHttp(kaufland_channel(kaufland.api_url), transport=validator.transport(kaufland.transport))
    url = "https://hooks.example.com/webhooks/kaufland/kl/" + "k" * 40
    try:
        body = {"callback_url": url, "fallback_email": "ops@example.com", "event_name": "order_new"}
        created = (await http.call("POST", "/subscriptions", params={"storefront": "de"}, json_body=body)).json()
        listed = (await http.call("GET", "/subscriptions", params={"event_name": "order_new"})).json()
        await http.call("GET", f"/subscriptions/{int(created['data']['id_subscription'])}")
        with pytest.raises(BusinessError) as unknown_event:
            await http.call(
                "POST", "/subscriptions", params={"storefront": "de"}, json_body={**body, "event_name": "x"}
            )
        [delivery] = await kaufland.post("/_sandbox/notifications", {"event_name": "order_new", "id_order": "ABC123"})
        await http.call("DELETE", f"/subscriptions/{int(created['data']['id_subscription'])}")
    finally:
        await http.aclose()

    assert validator.response_errors == []
    [bad] = validator.request_errors  # the unknown event, sent to be refused
    assert "event_name" in bad
    assert unknown_event.value.violations[0].name == "event_name"
    assert [s["callback_url"] for s in listed["data"]] == [url]
    assert delivery["callback_url"] == url
    assert {"event_name": "order_new", "id_order": "ABC123"}.items() <= json.loads(delivery["body"]).items()
