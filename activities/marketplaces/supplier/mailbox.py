"""The mail intake: one order mail per order in an IMAP mailbox. A mail is
read (without marking it seen), its order handed over, then flagged with the
taken keyword; a mail that is not an order we can read is moved to the
attention folder and reported on the channel's intake, by its subject and
what it lacks, for as long as it stays there. A crash before the flag is set
reads the mail again, and handing its order over again starts nothing new:
the workflow id comes from the order number."""

import asyncio
import contextlib
import imaplib
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from activities.marketplaces.supplier.adapter import SOURCE_FACTORIES
from activities.marketplaces.supplier.drafts import refused, to_portal_order
from activities.marketplaces.supplier.file_drop import HandOver
from activities.marketplaces.supplier.mail_orders import (
    OrderMailError,
    mail_subject,
    parse_order_mail,
    read_mail,
)
from activities.marketplaces.supplier.sources import Skip, Take
from activities.marketplaces.supplier.wire import PortalOrder
from domain.config import SupplierChannelConfig
from domain.errors import BusinessError, MarketplaceUnavailable
from domain.intake import MAX_UNREADABLE, UnreadableItem
from domain.portal_drops import MailboxSettings
from domain.portal_formats import MailTemplate

log = logging.getLogger(__name__)

_UID = re.compile(rb"UID (\d+)")


class MailboxUnavailable(ConnectionError):
    """The mailbox cannot be reached or refuses us: retried like any outage."""


class MailboxLoginRefused(MailboxUnavailable):
    """The server is there and said no to the username and password."""


@dataclass
class MailResult:
    mails_read: int = 0
    orders_started: int = 0
    duplicates: int = 0
    moved_aside: list[str] = field(default_factory=list)
    unreadable: list[UnreadableItem] = field(default_factory=list)


class _Imap:
    """imaplib (blocking) driven from the event loop, one call at a time."""

    def __init__(self, settings: MailboxSettings, timeout: float):
        self.settings = settings
        self.timeout = timeout
        self.client: imaplib.IMAP4 | None = None

    async def __aenter__(self) -> "_Imap":
        settings = self.settings
        password = settings.password.get_secret_value() if settings.password else ""

        def connect() -> imaplib.IMAP4:
            kind = imaplib.IMAP4_SSL if settings.tls else imaplib.IMAP4
            client = kind(settings.host, settings.port, timeout=self.timeout)
            client.login(settings.username, password)
            return client

        try:
            self.client = await asyncio.to_thread(connect)
        except imaplib.IMAP4.error as exc:
            raise MailboxLoginRefused(f"IMAP {settings.host}:{settings.port}: {exc}") from exc
        except OSError as exc:
            raise MailboxUnavailable(f"IMAP {settings.host}:{settings.port}: {exc}") from exc
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.client is not None:
            client, self.client = self.client, None
            await asyncio.to_thread(_quietly_logout, client)

    async def call(self, command: str, *args: Any) -> list[Any]:
        assert self.client is not None
        try:
            status, data = await asyncio.to_thread(getattr(self.client, command), *args)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxUnavailable(f"IMAP {command}: {exc}") from exc
        if status != "OK":
            raise MailboxUnavailable(f"IMAP {command} {args[:1]}: {status} {data!r}")
        return list(data)

    async def uid(self, *args: Any) -> list[Any]:
        return await self.call("uid", *args)


def _quietly_logout(client: imaplib.IMAP4) -> None:
    with contextlib.suppress(OSError, imaplib.IMAP4.error):
        client.logout()


def _quote(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _fetched(data: list[Any]) -> list[tuple[int, bytes]]:
    """(uid, content) for each message of a UID FETCH answer."""
    found = []
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            match = _UID.search(item[0])
            if match:
                found.append((int(match.group(1)), bytes(item[1])))
    return found


class MailboxIntake:
    def __init__(self, settings: MailboxSettings, timeout: float = 20.0):
        self.settings = settings
        self.timeout = timeout

    async def poll(self, hand_over: HandOver) -> MailResult:
        result = MailResult()
        settings = self.settings
        async with _Imap(settings, self.timeout) as imap:
            await self._ensure_attention_folder(imap)
            await imap.call("select", _quote(settings.mailbox))
            await self._check_keyword(imap)
            found = await imap.uid("search", None, "UNKEYWORD", settings.taken_keyword, "UNDELETED")
            uids = [int(uid) for uid in (found[0] or b"").split()][: settings.mails_per_poll]
            for uid in uids:
                await self.take(imap, uid, hand_over, result)
                result.mails_read += 1
            result.unreadable = await self.waiting_for_attention(imap)
        return result

    async def _ensure_attention_folder(self, imap: _Imap) -> None:
        listed = await imap.call("list", '""', _quote(self.settings.attention_folder))
        if not any(item for item in listed if item):
            await imap.call("create", _quote(self.settings.attention_folder))

    async def _check_keyword(self, imap: _Imap) -> None:
        """A mailbox that cannot keep the taken keyword would hand every mail
        over again at each poll: say so instead."""
        assert imap.client is not None
        _, answer = imap.client.response("PERMANENTFLAGS")
        flags = b" ".join(item for item in answer if isinstance(item, bytes)).decode(errors="replace")
        if answer and "\\*" not in flags and self.settings.taken_keyword not in flags.strip("()").split():
            raise MailboxUnavailable(
                f"mailbox {self.settings.mailbox!r} does not keep the keyword {self.settings.taken_keyword!r} "
                f"(it keeps {flags}): declare it on the mail server, or configure a keyword it keeps"
            )

    async def take(self, imap: _Imap, uid: int, hand_over: HandOver, result: MailResult) -> None:
        fetched = _fetched(await imap.uid("fetch", str(uid), "(UID BODY.PEEK[])"))
        if not fetched:
            return  # expunged meanwhile
        content = fetched[0][1]
        try:
            order = read_order_mail(content, self.settings.template)
        except OrderMailError as error:
            subject = mail_subject(read_mail(content))
            log.warning("order mail %r moved to %s: %s", subject, self.settings.attention_folder, error)
            await imap.uid("move", str(uid), _quote(self.settings.attention_folder))
            result.moved_aside.append(subject)
            return
        if await hand_over(order):
            result.orders_started += 1
        else:
            result.duplicates += 1
        await self.mark_taken(imap, uid)

    async def mark_taken(self, imap: _Imap, uid: int) -> None:
        await imap.uid("store", str(uid), "+FLAGS", f"({self.settings.taken_keyword} \\Seen)")

    async def waiting_for_attention(self, imap: _Imap) -> list[UnreadableItem]:
        """Every mail in the attention folder, by subject and what it lacks,
        read again each time so the reason follows the channel's template."""
        await imap.call("select", _quote(self.settings.attention_folder), True)
        found = await imap.uid("search", None, "UNDELETED")
        uids = [uid.decode() for uid in (found[0] or b"").split()][-MAX_UNREADABLE:]
        items: list[UnreadableItem] = []
        if uids:
            for _, content in _fetched(await imap.uid("fetch", ",".join(uids), "(UID BODY.PEEK[])")):
                try:
                    read_order_mail(content, self.settings.template)
                    reason = "reads now: move it back to the inbox to take it"
                except OrderMailError as error:
                    reason = str(error)
                items.append(UnreadableItem(kind="mail", item_id=repr(mail_subject(read_mail(content))), reason=reason))
        return items


def read_order_mail(content: bytes, template: MailTemplate) -> PortalOrder:
    """The mail's portal order; OrderMailError naming what it lacks, or the
    field the portal order's rules refuse."""
    draft = parse_order_mail(content, template)
    try:
        return to_portal_order(draft)
    except ValidationError as exc:
        error = exc.errors()[0]
        item, field = refused(tuple(error["loc"]))
        where = f"item {item + 1} " if item is not None else ""
        raise OrderMailError([], [f"{where}{field or 'order'}: {error['msg']}"]) from None


class MailSource:
    """The channel's mailbox as an order source (sources.OrderSource)."""

    via = "email"

    def __init__(self, channel: str, settings: MailboxSettings):
        self.channel = channel
        self.settings = settings

    async def read(self, since: datetime | None, now: datetime, take: Take, skip: Skip) -> None:
        async def hand_over(order: PortalOrder) -> bool:
            return (await take(order)).new

        result = await MailboxIntake(self.settings).poll(hand_over)
        for item in result.unreadable:
            skip(item)

    async def check(self) -> None:
        settings = self.settings
        try:
            async with _Imap(settings, 20.0) as imap:
                try:
                    await imap.call("select", _quote(settings.mailbox))
                except MailboxUnavailable as exc:  # logged in: the mailbox named is wrong
                    raise BusinessError(f"mailbox {settings.mailbox!r} on {settings.host}: {exc}") from exc
        except MailboxLoginRefused as exc:
            raise BusinessError(f"the mail server refused user {settings.username}: {exc}") from exc
        except MailboxUnavailable as exc:
            raise MarketplaceUnavailable(f"the mail server cannot be reached: {exc}") from exc

    async def aclose(self) -> None:
        """Each read opens and closes its own connection."""


def mail_source(channel: str, config: SupplierChannelConfig) -> MailSource:
    if config.email is None:
        raise ValueError(f"channel {channel}: intake 'email' needs an [email] mailbox (host, username, password)")
    return MailSource(channel, config.email)


SOURCE_FACTORIES["email"] = mail_source
