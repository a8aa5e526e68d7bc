"""Tracking added or corrected after shipping: the adapters' calls and the
sandboxes' answers checked against the official specs (bol: PUT
/retailer/transports/{transport-id}; Kaufland: POST /shipments)."""

from activities.marketplaces.base import CommandContext
from activities.marketplaces.bol.adapter import BolAdapter
from activities.marketplaces.kaufland.adapter import KauflandAdapter
from domain.order.view import LineQuantity, Transport
from tests.contract.openapi import ContractValidator
from tests.support import SandboxedKaufland, bol_channel, kaufland_channel
from tests.workflows.helpers import MUG


async def test_bol_changes_a_shipments_transport_once_as_the_spec_says(bol):
    validator = ContractValidator()
    adapter = BolAdapter(
        "bol", bol_channel(bol.url), transport=validator.transport(bol.transport), process_poll_interval=0.01
    )
    try:
        order = await bol.place_order([{**MUG, "quantity": 1}])
        mug = order["orderItems"][0]["orderItemId"]
        ship = Transport(transporter_code="TNT", track_and_trace="3SBOL1")
        await adapter.ship(order["orderId"], [LineQuantity(line_id=mug, quantity=1)], {}, ship, None, CommandContext())
        corrected = Transport(transporter_code="DHL", track_and_trace="JVGL0001")
        first = await adapter.change_transport(order["orderId"], [mug], corrected, CommandContext())
        # A retry after a lost answer: the change is there, nothing is sent.
        again = await adapter.change_transport(order["orderId"], [mug], corrected, CommandContext(check_pending=True))
    finally:
        await adapter.aclose()

    validator.assert_clean()
    puts = [c for c in validator.checked if c.startswith("PUT /retailer/transports/")]
    assert len(puts) == 1 and puts[0].endswith("-> 202")
    assert first.process_id is not None and again.process_id is None
    shipments = await bol.get("/_sandbox/shipments")
    assert [(s["transporterCode"], s["trackAndTrace"]) for s in shipments] == [("DHL", "JVGL0001")]


async def test_kaufland_adds_a_parcels_tracking_to_units_sent_as_the_spec_says():
    validator = ContractValidator(("kaufland-seller-v2",))
    kaufland = SandboxedKaufland.start()
    adapter = KauflandAdapter(
        "kl", kaufland_channel(kaufland.api_url), transport=validator.transport(kaufland.transport)
    )
    order = await kaufland.place_order([{"ean": "8710103917885", "quantity": 2, "price": 1295, "id_offer": "MUG"}])
    try:
        (line,) = (await adapter.get_order(order["id_order"])).lines
        ship = Transport(transporter_code="DHL", track_and_trace="00340434161094042557")
        await adapter.ship(
            order["id_order"], [LineQuantity(line_id=line.line_id, quantity=2)], {}, ship, None, CommandContext()
        )
        added = Transport(transporter_code="DHL", track_and_trace="00340434161094099999")
        result = await adapter.change_transport(order["id_order"], [line.line_id], added, CommandContext())
    finally:
        await adapter.aclose()

    validator.assert_clean()
    assert [c for c in validator.checked if c.startswith("POST") and "/shipments" in c]
    units = [u["id_order_unit"] for u in order["order_units"]]
    parcels = await kaufland.get("/_sandbox/shipments")
    assert sorted(p["id_order_unit"] for p in parcels) == sorted(units)
    assert {p["tracking_number"] for p in parcels} == {"00340434161094099999"}
    assert result.note and "keeps the first tracking" in result.note
