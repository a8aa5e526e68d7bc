"""`ordertide order invoice` and `order show`: the invoice reaches the
marketplace, the store remembers it, a wrong file is refused before any call."""

from pathlib import Path

import pytest

from activities.channels import Channels
from domain.ids import order_workflow_id
from starter import aftersales_api
from starter.console import CommandError
from tests.support import SandboxedKaufland, kaufland_channel
from workers.settings import Settings

PDF = b"%PDF-1.4\n% invoice 2026-0042\n"


async def test_an_invoice_is_on_file_once_kaufland_took_it(tmp_path: Path):
    kaufland = SandboxedKaufland.start()
    settings = Settings(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'store.db'}",
        channels={"kl": kaufland_channel(kaufland.api_url)},
    )
    channels = Channels.from_config(settings.channels, {"kl": kaufland.transport})
    order = await kaufland.place_order([{"ean": "8710103917885"}])
    workflow_id = order_workflow_id("kl", order["id_order"])
    invoice, text = tmp_path / "2026-0042.pdf", tmp_path / "notes.txt"
    invoice.write_bytes(PDF)
    text.write_text("not an invoice")
    try:
        before = await aftersales_api.after_sales(workflow_id, settings, channels)
        with pytest.raises(CommandError, match="must be a PDF"):
            await aftersales_api.upload_invoice(workflow_id, text, settings, channels)
        with pytest.raises(CommandError, match="not a PDF"):
            await aftersales_api.upload_invoice(workflow_id, text.rename(tmp_path / "fake.pdf"), settings, channels)
        assert kaufland.state.requests("/v2/order-invoices") == []
        receipt = await aftersales_api.upload_invoice(workflow_id, invoice, settings, channels)
        after = await aftersales_api.after_sales(workflow_id, settings, channels)
    finally:
        await channels.aclose()

    assert before.invoice is None and before.problems == []
    assert after.invoice is not None and after.invoice.filename == "2026-0042.pdf"
    assert after.invoice.references == receipt.references
    [uploaded] = kaufland.state.invoices()
    assert (uploaded["id_order"], uploaded["original_name"], uploaded["size"]) == (
        order["id_order"],
        "2026-0042.pdf",
        len(PDF),
    )


def test_order_show_says_whether_an_invoice_is_on_file_and_lists_open_tickets():
    from datetime import UTC, datetime

    from domain.order.aftersales import InvoiceReceipt, Ticket, TicketMessage
    from starter.console import out
    from starter.orders_cmd import _print_after_sales

    at = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    waiting = Ticket(
        ticket_id="0011234501",
        marketplace_order_id="KL1",
        reason="contact_other",
        opened_at=at,
        messages=[TicketMessage(from_buyer=True, text="Is it dishwasher safe?", at=at)],
    )
    invoice = InvoiceReceipt(channel="kl", marketplace_order_id="KL1", filename="K-1.pdf", uploaded_at=at)
    with out.capture() as none:
        _print_after_sales(aftersales_api.AfterSales())
    with out.capture() as some:
        _print_after_sales(aftersales_api.AfterSales(invoice=invoice, tickets=[waiting]))
    assert none.get().splitlines() == ["invoice: none on file (`ordertide order invoice ID FILE.pdf`)"]
    assert some.get().splitlines() == [
        "invoice: on file (K-1.pdf, sent 2026-12-01 09:30)",
        "ticket 0011234501 (contact_other, opened 2026-12-01 09:30): waiting for your answer since 2026-12-01 09:30",
        "  buyer: Is it dishwasher safe?",
    ]
