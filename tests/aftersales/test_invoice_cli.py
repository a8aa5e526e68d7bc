"""`ordertide order invoice` as the README writes it, against the bol
sandbox over real HTTP: the invoice goes with the order's shipment."""

import os

import httpx

from activities.marketplaces.base import CommandContext
from activities.marketplaces.bol.adapter import BolAdapter
from domain.order.view import LineQuantity, Transport
from tests.cli.test_cli import ordertide
from tests.support import bol_channel
from tests.workflows.helpers import MUG
from workers.http import ServerHandle


async def test_ordertide_order_invoice_uploads_the_pdf(bol_server: ServerHandle, tmp_path):
    env = {
        **os.environ,
        "ORDERTIDE_CONFIG": str(tmp_path / "ordertide.toml"),
        "ORDERTIDE_DATA_DIR": str(tmp_path),
        "ORDERTIDE_CHANNELS__BOL__API_BASE_URL": bol_server.url,
        "ORDERTIDE_CHANNELS__BOL__TOKEN_URL": f"{bol_server.url}/token",
        "ORDERTIDE_CHANNELS__BOL__CLIENT_ID": "sandbox",
        "ORDERTIDE_CHANNELS__BOL__CLIENT_SECRET": "sandbox",
    }
    async with httpx.AsyncClient(base_url=bol_server.url) as http:
        order = (await http.post("/_sandbox/orders", json={"items": [{**MUG, "quantity": 1}]})).json()
    adapter = BolAdapter("bol", bol_channel(bol_server.url), process_poll_interval=0.05)
    try:
        item = order["orderItems"][0]["orderItemId"]
        ship = Transport(transporter_code="TNT", track_and_trace="3SBOL0000123")
        await adapter.ship(order["orderId"], [LineQuantity(line_id=item, quantity=1)], {}, ship, None, CommandContext())
    finally:
        await adapter.aclose()
    invoice = tmp_path / "invoice-0042.pdf"
    invoice.write_bytes(b"%PDF-1.4\n% invoice 0042\n")
    # (A file that is not a PDF is refused before any call: test_invoice_on_file.)
    code, out, err = await ordertide("order", "invoice", f"bol:{order['orderId']}", str(invoice), env=env)
    assert code == 0, err
    assert out.startswith("invoice invoice-0042.pdf sent to bol (shipment(s) ")
    async with httpx.AsyncClient(base_url=bol_server.url) as http:
        [uploaded] = (await http.get("/_sandbox/invoices")).json()
    assert uploaded["filename"] == "invoice-0042.pdf"
