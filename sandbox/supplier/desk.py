"""The portal's file-drop and mail desk: its own SFTP server, where it
writes one CSV file per order, and the supplier's mail server, where it
sends one mail per order over SMTP. Started with the sandbox app (its
lifespan) when configured; the control API delivers again, duplicated or
malformed, through the same desk."""

import asyncio
from pathlib import Path
from typing import Any

from sandbox.supplier.config import SupplierSandboxConfig
from sandbox.supplier.drops import Malformed, order_mail, send_mail, write_order_file
from sandbox.supplier.mail_server import MailServer
from sandbox.supplier.sftp_server import SftpServer

DELIVERY_MODES = ("file", "mail")


class DropDesk:
    def __init__(self, config: SupplierSandboxConfig):
        self.config = config
        self.sftp: SftpServer | None = None
        self.mail: MailServer | None = None

    async def start(self) -> None:
        config = self.config
        if config.sftp_root:
            self.sftp = await SftpServer(
                Path(config.sftp_root), config.sftp_username, config.sftp_password, port=config.sftp_port
            ).start()
        if config.mail_root:
            self.mail = await MailServer(
                Path(config.mail_root),
                username=config.mail_username,
                password=config.mail_password,
                imap_port=config.imap_port,
                smtp_port=config.smtp_port,
            ).start()

    async def stop(self) -> None:
        for server in (self.sftp, self.mail):
            if server is not None:
                await server.stop()

    @property
    def modes(self) -> list[str]:
        return [mode for mode, server in (("file", self.sftp), ("mail", self.mail)) if server is not None]

    async def deliver(
        self, order: dict[str, Any], modes: list[str], malformed: Malformed | None = None, repeat: int = 1
    ) -> list[str]:
        """Deliver the order by each mode, `repeat` times; what was delivered, by name."""
        delivered: list[str] = []
        for _ in range(repeat):
            for mode in modes:
                if mode == "file" and self.sftp is not None:
                    folder = self.sftp.root / self.config.drop_folder
                    name = await asyncio.to_thread(write_order_file, folder, order, malformed)
                    delivered.append(f"file {self.config.drop_folder}/{name}")
                elif mode == "mail" and self.mail is not None:
                    message = order_mail(order, self.config.mail_to, malformed)
                    await send_mail(self.mail.host, self.mail.smtp_port, message)
                    delivered.append(f"mail {message['Subject']}")
                else:
                    raise ValueError(f"deliver: {mode!r} is not set up on this sandbox (it has {self.modes or 'none'})")
        return delivered

    def describe(self) -> dict[str, Any]:
        where: dict[str, Any] = {}
        if self.sftp is not None:
            where["sftp"] = {
                "host": self.sftp.host,
                "port": self.sftp.port,
                "username": self.sftp.username,
                "folder": self.config.drop_folder,
            }
        if self.mail is not None:
            where["mail"] = {
                "host": self.mail.host,
                "imap_port": self.mail.imap_port,
                "smtp_port": self.mail.smtp_port,
                "username": self.mail.username,
                "to": self.config.mail_to,
            }
        return where
