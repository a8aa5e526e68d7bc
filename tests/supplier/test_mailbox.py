"""The mailbox intake against a real IMAP server: a mail is flagged only
once its order is handed over, so a failure in between reads it again
(nothing lost); a taken mail is not read again; a mailbox that cannot keep
the flag is named instead of handing every mail over at each poll."""

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from activities.marketplaces.supplier.mailbox import MailboxIntake, MailboxUnavailable
from activities.marketplaces.supplier.wire import PortalOrder
from domain.portal_drops import MailboxSettings
from sandbox.supplier.drops import order_mail
from sandbox.supplier.mail_server import MailServer

ORDER = {
    "order_number": "PO-5001",
    "placed_at": "2026-12-01T09:30:00+00:00",
    "items": [{"sku": "MUG-RED", "title": "Red mug", "quantity": 2, "price": "12.95"}],
    "contact": {"name": "Jane Doe"},
    "delivery_address": {
        "name": "Jane Doe",
        "street": "High Street",
        "house_number": "1",
        "postcode": "SW1A 1AA",
        "city": "London",
        "country": "GB",
    },
}


@contextlib.asynccontextmanager
async def mailbox(root: Path, keywords: tuple[str, ...] = ("OrderTaken",)) -> AsyncIterator[MailboxIntake]:
    server = await MailServer(root, keywords=keywords).start()
    try:
        await server.append("INBOX", order_mail(ORDER, "orders@example.com").as_bytes())
        settings = MailboxSettings(
            host=server.host, port=server.imap_port, tls=False, username="orders", password=SecretStr("sandbox")
        )
        yield MailboxIntake(settings)
    finally:
        await server.stop()


async def test_a_mail_is_flagged_only_after_its_order_is_handed_over(tmp_path: Path) -> None:
    taken: list[PortalOrder] = []

    async def failing(order: PortalOrder) -> bool:
        raise ConnectionError("the store is down")

    async def hand_over(order: PortalOrder) -> bool:
        taken.append(order)
        return True

    async with mailbox(tmp_path) as intake:
        with pytest.raises(ConnectionError):
            await intake.poll(failing)
        first = await intake.poll(hand_over)
        again = await intake.poll(hand_over)

    assert (first.mails_read, first.orders_started) == (1, 1)
    assert [(o.order_number, o.items[0].sku, o.items[0].quantity) for o in taken] == [("PO-5001", "MUG-RED", 2)]
    assert again.mails_read == 0  # flagged: not read again


async def test_a_mailbox_that_cannot_keep_the_flag_is_named(tmp_path: Path) -> None:
    async def hand_over(order: PortalOrder) -> bool:
        return True

    async with mailbox(tmp_path, keywords=()) as intake:
        with pytest.raises(MailboxUnavailable, match="does not keep the keyword 'OrderTaken'"):
            await intake.poll(hand_over)
