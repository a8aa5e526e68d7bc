"""The folder a portal drops its order files in: a local folder, or a
folder on an SFTP server (asyncssh as the client). Both offer the few
operations the file-drop intake needs, with the same meaning: a rename
never overwrites, and says whether the file was there to move."""

import asyncio
import contextlib
import os
import posixpath
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

from activities.marketplaces.supplier.ssh import asyncssh
from domain.portal_drops import SftpLogin


class DropFolder(Protocol):
    async def files(self, folder: str) -> list[str]:
        """Names of the plain files in `folder` (none if it does not exist), sorted."""

    async def read(self, path: str) -> bytes: ...

    async def modified(self, path: str) -> float:
        """When the file was last written, as a POSIX timestamp."""

    async def write(self, path: str, content: bytes) -> None:
        """Write (or replace) a small file."""

    async def rename(self, source: str, target: str) -> bool:
        """Move `source` to `target`; False when `source` is gone (moved by
        an earlier attempt). Raises FileExistsError when `target` exists."""

    async def exists(self, path: str) -> bool: ...

    async def remove(self, path: str) -> None: ...

    async def make_folder(self, folder: str) -> None: ...


class LocalFolder:
    """A folder on this machine, paths relative to `root`."""

    def __init__(self, root: Path):
        self.root = root

    def _path(self, path: str) -> Path:
        return self.root / path

    async def files(self, folder: str) -> list[str]:
        def listing() -> list[str]:
            base = self._path(folder)
            if not base.is_dir():
                return []
            return sorted(entry.name for entry in base.iterdir() if entry.is_file())

        return await asyncio.to_thread(listing)

    async def read(self, path: str) -> bytes:
        return await asyncio.to_thread(self._path(path).read_bytes)

    async def modified(self, path: str) -> float:
        return (await asyncio.to_thread(self._path(path).stat)).st_mtime

    async def write(self, path: str, content: bytes) -> None:
        await asyncio.to_thread(self._path(path).write_bytes, content)

    async def rename(self, source: str, target: str) -> bool:
        def move() -> bool:
            # link + unlink: unlike rename, link refuses an existing target
            try:
                os.link(self._path(source), self._path(target))
            except FileNotFoundError:
                return False
            self._path(source).unlink()
            return True

        return await asyncio.to_thread(move)

    async def exists(self, path: str) -> bool:
        return await asyncio.to_thread(self._path(path).exists)

    async def remove(self, path: str) -> None:
        await asyncio.to_thread(self._path(path).unlink, True)

    async def make_folder(self, folder: str) -> None:
        await asyncio.to_thread(self._path(folder).mkdir, 0o777, True, True)


class SftpFolder:
    """A folder on an SFTP server, over one connection opened by `connected()`."""

    def __init__(self, sftp: asyncssh.SFTPClient):
        self._sftp = sftp

    async def files(self, folder: str) -> list[str]:
        try:
            entries = await self._sftp.readdir(folder)
        except asyncssh.SFTPNoSuchFile:
            return []
        return sorted(
            str(entry.filename)
            for entry in entries
            if entry.attrs.type == asyncssh.FILEXFER_TYPE_REGULAR and str(entry.filename) not in (".", "..")
        )

    async def read(self, path: str) -> bytes:
        async with self._sftp.open(path, "rb") as handle:
            return await handle.read()

    async def modified(self, path: str) -> float:
        return float((await self._sftp.stat(path)).mtime or 0)

    async def write(self, path: str, content: bytes) -> None:
        async with self._sftp.open(path, "wb") as handle:
            await handle.write(content)

    async def rename(self, source: str, target: str) -> bool:
        if not await self._sftp.exists(source):
            return False
        if await self._sftp.exists(target):
            raise FileExistsError(target)
        try:
            await self._sftp.rename(source, target)  # SFTP v3 rename never overwrites
        except asyncssh.SFTPNoSuchFile:
            return False
        return True

    async def exists(self, path: str) -> bool:
        return await self._sftp.exists(path)

    async def remove(self, path: str) -> None:
        with contextlib.suppress(asyncssh.SFTPNoSuchFile):
            await self._sftp.remove(path)

    async def make_folder(self, folder: str) -> None:
        await self._sftp.makedirs(posixpath.normpath(folder), exist_ok=True)


@contextlib.asynccontextmanager
async def sftp_folder(login: SftpLogin, timeout: float = 20.0) -> AsyncIterator[SftpFolder]:
    password = login.password.get_secret_value() if login.password else None
    async with (
        asyncssh.connect(
            login.host,
            login.port,
            username=login.username,
            password=password,
            known_hosts=None if login.accept_any_host_key else (login.known_hosts or ()),
            client_keys=(),  # the portal gives a password; never offer this machine's keys
            agent_path=None,
            connect_timeout=timeout,
        ) as connection,
        connection.start_sftp_client() as sftp,
    ):
        yield SftpFolder(sftp)
