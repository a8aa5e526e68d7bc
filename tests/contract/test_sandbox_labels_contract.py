"""Shipping labels in the sandboxes. bol's, driven through the spec validator:
delivery options, a label created by a process, its PDF with the label's
track-and-trace as headers, and a shipment that uses the label."""

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from activities.marketplaces.kaufland.adapter import KauflandAdapter
from domain.errors import BusinessError
from domain.labels import LabelRules
from domain.order.view import LineQuantity
from tests.contract.openapi import ContractValidator
from tests.sandbox.helpers import BASE_URL, MUG, BolClient, FakeClock, sandbox_app
from tests.support import SandboxedKaufland, kaufland_channel

PDF = "application/vnd.retailer.v10+pdf"


@pytest.fixture
def validator() -> ContractValidator:
    return ContractValidator()


@pytest_asyncio.fixture
async def bol(validator: ContractValidator) -> AsyncIterator[tuple[BolClient, FakeClock]]:
    clock = FakeClock()
    app = sandbox_app(clock)
    transport = validator.transport(httpx.ASGITransport(app=app))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        yield BolClient(http), clock


async def test_a_label_is_bought_printed_and_shipped_with(bol, validator: ContractValidator):
    client, clock = bol
    placed = await client.http.post(
        "/_sandbox/orders", json={"items": [{**MUG, "quantity": 2}], "latestDeliveryDays": 1}
    )
    item = placed.json()["orderItems"][0]["orderItemId"]

    answer = await client.send(
        "POST", "/retailer/shipping-labels/delivery-options", {"orderItems": [{"orderItemId": item}]}
    )
    options = answer.json()["deliveryOptions"]
    on_time = {o["labelType"]: o["handoverDetails"]["meetsCustomerExpectation"] for o in options}
    assert on_time["MAILBOX"] is False and on_time["PARCEL"] is True  # two days in transit, one day promised
    chosen = next(o for o in options if o["transporterCode"] == "DHL")

    body = {"orderItems": [{"orderItemId": item}], "shippingLabelOfferId": chosen["shippingLabelOfferId"]}
    pending = (await client.send("POST", "/retailer/shipping-labels", body)).json()
    assert pending["eventType"] == "CREATE_SHIPPING_LABEL" and "entityId" not in pending
    clock.advance(1)
    done = (await client.get(f"/shared/process-status/{pending['processStatusId']}")).json()
    assert done["status"] == "SUCCESS"

    label = await client._call("GET", f"/retailer/shipping-labels/{done['entityId']}", headers={"Accept": PDF})
    assert label.status_code == 200 and label.content.startswith(b"%PDF")
    assert label.headers["X-Transporter-Code"] == "DHL"
    tracking = label.headers["X-Track-And-Trace-Code"]

    shipping = await client.send(
        "POST", "/retailer/shipments", {"orderItems": [{"orderItemId": item}], "shippingLabelId": done["entityId"]}
    )
    clock.advance(1)
    assert (await client.get(f"/shared/process-status/{shipping.json()['processStatusId']}")).json()[
        "status"
    ] == "SUCCESS"
    shipment = (await client.get("/retailer/shipments", **{"order-id": placed.json()["orderId"]})).json()["shipments"][
        0
    ]
    transport = (await client.get(f"/retailer/shipments/{shipment['shipmentId']}")).json()["transport"]
    assert (transport["transporterCode"], transport["trackAndTrace"]) == ("DHL", tracking)

    again = await client.send(
        "POST", "/retailer/shipping-labels/delivery-options", {"orderItems": [{"orderItemId": "999"}]}
    )
    assert again.status_code == 400
    validator.assert_clean()


async def test_a_kaufland_label_is_bought_and_downloaded_as_kauflands_spec_says():
    validator = ContractValidator(("kaufland-seller-v2",))
    kaufland = SandboxedKaufland.start()
    adapter = KauflandAdapter(
        "kl", kaufland_channel(kaufland.api_url), transport=validator.transport(kaufland.transport)
    )
    order = await kaufland.place_order([{"ean": "8710103917885", "quantity": 2, "price": 1295, "id_offer": "MUG-BLUE"}])
    try:
        line = (await adapter.get_order(order["id_order"])).lines[0]
        label = await adapter.labels.buy(
            order["id_order"], [LineQuantity(line_id=line.line_id, quantity=2)], LabelRules()
        )
        with pytest.raises(BusinessError, match="GLS only"):
            await adapter.labels.buy(order["id_order"], [], LabelRules(transporters=["DHL"]))
    finally:
        await adapter.aclose()
    assert label.transporter_code == "GLS" and label.pdf.startswith(b"%PDF") and label.track_and_trace
    validator.assert_clean()
    assert any("/shipping-labels" in checked for checked in validator.checked)
