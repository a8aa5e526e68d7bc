"""The seller's invoice reaches bol.com with every shipment of the order."""

import pytest

from activities.marketplaces.base import CommandContext
from activities.marketplaces.bol.adapter import BolAdapter
from domain.errors import BusinessError
from domain.order.aftersales import InvoiceFile
from domain.order.view import LineQuantity, Transport
from tests.contract.openapi import ContractValidator
from tests.support import bol_channel
from tests.workflows.helpers import LAMP, MUG

PDF = b"%PDF-1.4\n% invoice 2026-0001\n"


async def test_an_invoice_goes_with_each_shipment_and_follows_the_spec(bol):
    validator = ContractValidator()
    adapter = BolAdapter(
        "bol", bol_channel(bol.url), transport=validator.transport(bol.transport), process_poll_interval=0.01
    )
    try:
        order = await bol.place_order([{**MUG, "quantity": 1}, {**LAMP, "quantity": 1}])
        order_id = order["orderId"]
        invoice = InvoiceFile(filename="2026-0001.pdf", content=PDF)
        with pytest.raises(BusinessError, match="has not shipped yet"):
            await adapter.upload_invoice(order_id, invoice)

        for item in order["orderItems"]:  # two parcels: two shipments
            await adapter.ship(
                order_id,
                [LineQuantity(line_id=item["orderItemId"], quantity=1)],
                {},
                Transport(transporter_code="TNT"),
                None,
                CommandContext(),
            )
        receipt = await adapter.upload_invoice(order_id, invoice)
    finally:
        await adapter.aclose()

    shipments = {s["shipmentId"] for s in bol.state.shipments()}
    assert set(receipt.references) == shipments and len(shipments) == 2
    assert {(i["shipmentId"], i["filename"], i["size"]) for i in bol.state.invoices()} == {
        (s, "2026-0001.pdf", len(PDF)) for s in shipments
    }
    validator.assert_clean()
    assert any(entry.startswith("POST /retailer/shipments/invoices/") for entry in validator.checked)


async def test_the_sandbox_refuses_an_invoice_that_is_not_a_pdf_form(bol):
    order = await bol.place_order([{**MUG, "quantity": 1}])
    adapter = BolAdapter("bol", bol_channel(bol.url), transport=bol.transport, process_poll_interval=0.01)
    try:
        await adapter.ship(
            order["orderId"],
            [LineQuantity(line_id=order["orderItems"][0]["orderItemId"], quantity=1)],
            {},
            Transport(transporter_code="TNT"),
            None,
            CommandContext(),
        )
        [shipment_id] = await adapter.invoices.shipment_ids(order["orderId"])
        path = f"/retailer/shipments/invoices/{shipment_id}"
        as_json = await adapter.http.client.post(
            adapter.http.base_url + path,
            json={"invoice": "x"},
            headers={
                "Authorization": f"Bearer {await adapter.http.tokens.token()}",
                "Accept": "application/vnd.retailer.v10+json",
            },
        )
        not_pdf = await adapter.http.client.post(
            adapter.http.base_url + path,
            files={"invoice": ("x.pdf", b"hello", "application/pdf")},
            headers={
                "Authorization": f"Bearer {await adapter.http.tokens.token()}",
                "Accept": "application/vnd.retailer.v10+json",
            },
        )
    finally:
        await adapter.aclose()
    assert as_json.status_code == 415
    assert not_pdf.status_code == 400 and not_pdf.json()["violations"][0]["name"] == "invoice"
    assert bol.state.invoices() == []


def test_an_invoice_file_must_be_a_pdf():
    with pytest.raises(ValueError, match="not a PDF"):
        InvoiceFile(filename="x.pdf", content=b"hello")
