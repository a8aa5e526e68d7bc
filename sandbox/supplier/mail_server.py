"""A real mail server on loopback for the portal sandbox's order mails: mail
arrives over SMTP (aiosmtpd) and is filed into an IMAP mailbox (pymap, on a
Dovecot-style Maildir under `root`) with IMAP APPEND, as a mail host's
delivery agent would; the supplier's intake reads it over IMAP like any
mailbox, and may set the keywords the mailbox declares."""

import argparse
import asyncio
import imaplib
import mailbox
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session
from proxyprotocol.reader import ProxyProtocolReader
from pymap.backend.maildir import Config as MaildirConfig
from pymap.backend.maildir import Identity, MaildirBackend
from pymap.backend.maildir import Login as MaildirLogin
from pymap.imap import IMAPServer
from pymap.user import Passwords, UserMetadata
from pysasl.hashing import BuiltinHash


class _Deliver:
    """aiosmtpd handler: every accepted mail goes into the mailbox's INBOX."""

    def __init__(self, server: "MailServer"):
        self._server = server

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's name
        content = envelope.original_content or b""
        await self._server.append("INBOX", content)
        return "250 Message accepted for delivery"


@dataclass
class MailServer:
    """IMAP on `imap_port`, SMTP on `smtp_port` (0 takes free ports), one
    mailbox in `root` that keeps the IMAP `keywords` (as Dovecot declares them)."""

    root: Path
    keywords: tuple[str, ...] = ("OrderTaken",)
    username: str = "orders"
    password: str = "sandbox"
    host: str = "127.0.0.1"
    imap_port: int = 0
    smtp_port: int = 0
    _servers: list[asyncio.AbstractServer] = field(default_factory=list, init=False, repr=False)

    async def start(self) -> "MailServer":
        args = argparse.Namespace(
            debug=False,
            base_dir=str(self.root),
            concurrency=None,
            layout="++",
            colon=None,
            host=self.host,
            port=self.imap_port,
            cert=None,
            key=None,
            tls=False,  # loopback only; a production mailbox is reached over TLS
            proxy_protocol=None,
            passlib_cfg=None,
            inherited_sockets=None,
            insecure_login=True,
        )
        self.root.mkdir(parents=True, exist_ok=True)
        # A sandbox login needs no costly password hash (pymap's default takes
        # about a second of CPU per login, and intake logs in at every poll).
        config = MaildirConfig.from_args(args, hash_context=BuiltinHash(rounds=1000))
        backend = MaildirBackend(MaildirLogin(config), config)
        config.apply_context()
        user = Identity(config, backend.login.tokens, self.username, None, {"admin"})
        hashed = await Passwords(config).hash_password(self.password)
        await user.set(UserMetadata(config, self.username, password=hashed))
        # Dovecot's way to declare keywords; the first INBOX access reads it.
        maildir = self.root / self.username
        mailbox.Maildir(str(maildir), create=True)
        (maildir / "dovecot-keywords").write_text("".join(f"{i} {kw}\n" for i, kw in enumerate(self.keywords)))
        imap = IMAPServer(backend.login, config)
        imap_server = await asyncio.start_server(
            ProxyProtocolReader(config.proxy_protocol).get_callback(imap), self.host, self.imap_port
        )
        self.imap_port = imap_server.sockets[0].getsockname()[1]
        loop = asyncio.get_running_loop()
        handler = _Deliver(self)
        smtp_server = await loop.create_server(
            lambda: SMTP(handler, hostname="mail.sandbox", ident="ordertide sandbox mail"), self.host, self.smtp_port
        )
        self.smtp_port = smtp_server.sockets[0].getsockname()[1]
        self._servers = [imap_server, smtp_server]
        return self

    async def append(self, mailbox: str, content: bytes) -> None:
        """File a mail into `mailbox` over IMAP (APPEND), as delivery would."""
        await asyncio.to_thread(self._append, mailbox, content)

    def _append(self, folder: str, content: bytes) -> None:
        with imaplib.IMAP4(self.host, self.imap_port, timeout=10) as client:
            client.login(self.username, self.password)
            status, data = client.append(folder, "", imaplib.Time2Internaldate(time.time()), content)
            if status != "OK":
                raise RuntimeError(f"the mailbox refused the mail: {data!r}")

    async def stop(self) -> None:
        for server in self._servers:
            server.close()
        for server in self._servers:
            await server.wait_closed()
        self._servers = []

    def describe(self) -> dict[str, Any]:
        return {
            "imap": f"imap://{self.username}@{self.host}:{self.imap_port}/INBOX",
            "smtp": f"smtp://{self.host}:{self.smtp_port}",
        }
