"""Every request the Kaufland adapter sends and every answer the Kaufland
sandbox gives, checked against Kaufland's own OpenAPI document (with its
known defects normalised in tests/contract/openapi.py)."""

from datetime import UTC, datetime

import pytest

from activities.marketplaces.base import CommandContext
from activities.marketplaces.kaufland.adapter import KauflandAdapter
from activities.marketplaces.kaufland.client import KauflandHttp
from domain.errors import BusinessError, RateLimited
from domain.order.view import LineQuantity, Transport
from domain.reasons import CancellationReason
from tests.contract.openapi import ContractValidator
from tests.support import SandboxedKaufland, kaufland_channel

SPEC = ("kaufland-seller-v2",)


@pytest.fixture
def validator() -> ContractValidator:
    return ContractValidator(SPEC)


async def test_the_order_commands_and_their_answers_follow_kauflands_spec(validator):
    kaufland = SandboxedKaufland.start()
    adapter = KauflandAdapter(
        "kl", kaufland_channel(kaufland.api_url), transport=validator.transport(kaufland.transport)
    )
    order = await kaufland.place_order(
        [{"ean": "8710103917885", "quantity": 3, "price": 1295, "id_offer": "MUG-BLUE"}, {"ean": "4006381333931"}]
    )
    lamp_unit = order["order_units"][3]["id_order_unit"]
    await kaufland.post(f"/_sandbox/order-units/{lamp_unit}/customer-cancel")
    try:
        assert len(await adapter.changed_orders(None, datetime.now(UTC))) == 1
        changes = await adapter.changed_orders(datetime.now(UTC), datetime.now(UTC))
        mug, lamp = (line.line_id for line in (await adapter.get_order(order["id_order"])).lines)
        assert changes[0].cancellation_requested_line_ids == [lamp]
        ship = Transport(transporter_code="DHL", track_and_trace="00340434161094042557")
        await adapter.ship(order["id_order"], [LineQuantity(line_id=mug, quantity=2)], {}, ship, None, CommandContext())
        await adapter.cancel_line(order["id_order"], mug, CancellationReason.OUT_OF_STOCK, CommandContext())
        await adapter.check_credentials()
    finally:
        await adapter.aclose()

    validator.assert_clean()
    assert {c.split(" -> ")[0].rsplit("/", 1)[-1] for c in validator.checked} >= {"send", "cancel", "carriers"}


async def test_kauflands_refusals_follow_its_spec(validator):
    kaufland = SandboxedKaufland.start()
    order = await kaufland.place_order([{"ean": "8710103917885"}])
    unit = order["order_units"][0]["id_order_unit"]
    http = KauflandHttp(kaufland_channel(kaufland.api_url), transport=validator.transport(kaufland.transport))
    wrong = KauflandHttp(
        kaufland_channel(kaufland.api_url, secret_key="wrong"), transport=validator.transport(kaufland.transport)
    )
    send = {"carrier_code": "DHL", "tracking_numbers": "123"}
    await kaufland.post("/_sandbox/faults", {"path": "/v2/order-units", "kind": "rate_limit", "times": 1})
    try:
        with pytest.raises(RateLimited):
            await http.call("GET", "/order-units", params={"storefront": "de"})
        with pytest.raises(BusinessError) as unknown_carrier:
            await http.call("PATCH", f"/order-units/{unit}/send", json_body={**send, "carrier_code": "Pigeon"})
        await http.call("PATCH", f"/order-units/{unit}/send", json_body=send)
        with pytest.raises(BusinessError) as duplicate:
            await http.call("PATCH", f"/order-units/{unit}/send", json_body=send)
        with pytest.raises(BusinessError) as too_late:
            await http.call("PATCH", f"/order-units/{unit}/cancel", json_body={"reason": "NoInventory"})
        with pytest.raises(BusinessError) as missing:
            await http.call("GET", "/order-units/1")
        with pytest.raises(BusinessError) as unsigned:
            await wrong.call("GET", f"/orders/{order['id_order']}")
    finally:
        await http.aclose()
        await wrong.aclose()

    validator.assert_clean()
    assert len(validator.checked) == 7
    assert unknown_carrier.value.status == 400 and unknown_carrier.value.violations[0].name == "carrier_code"
    assert duplicate.value.status == 403 and "already" in str(duplicate.value)
    assert too_late.value.status == 403 and missing.value.status == 404 and unsigned.value.status == 401
