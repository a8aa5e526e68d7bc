"""A real SFTP server on loopback (asyncssh's server), for the portal
sandbox's file drop: the portal's own SFTP location, where it writes one CSV
file per order and the supplier's intake reads them, exactly as it would
read a portal's server. Each login sees only the server's folder."""

import warnings
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.utils import CryptographyDeprecationWarning

# cryptography 47+ warns of DSA at asyncssh's import, on the stderr of
# `ordertide run`, which the sandbox shares (see activities/marketplaces/supplier/ssh.py).
with warnings.catch_warnings():
    warnings.simplefilter("ignore", CryptographyDeprecationWarning)
    import asyncssh


class _Server(asyncssh.SSHServer):
    def __init__(self, username: str, password: str):
        self._username = username
        self._password = password

    def begin_auth(self, username: str) -> bool:
        return True  # every login must authenticate

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return username == self._username and password == self._password


@dataclass
class SftpServer:
    """Serves `root` over SFTP to one user; `port` 0 takes a free port."""

    root: Path
    username: str = "supplier"
    password: str = "sandbox"
    host: str = "127.0.0.1"
    port: int = 0
    _acceptor: asyncssh.SSHAcceptor | None = field(default=None, init=False, repr=False)

    async def start(self) -> "SftpServer":
        self.root.mkdir(parents=True, exist_ok=True)
        root = str(self.root).encode()
        host_key = asyncssh.generate_private_key("ssh-ed25519")
        self._acceptor = await asyncssh.listen(
            self.host,
            self.port,
            server_host_keys=[host_key],
            server_factory=lambda: _Server(self.username, self.password),
            sftp_factory=lambda channel: asyncssh.SFTPServer(channel, chroot=root),
            allow_scp=False,
        )
        self.port = self._acceptor.get_port()
        return self

    @property
    def url(self) -> str:
        return f"sftp://{self.username}@{self.host}:{self.port}/"

    async def stop(self) -> None:
        if self._acceptor is not None:
            self._acceptor.close()
            await self._acceptor.wait_closed()
            self._acceptor = None
