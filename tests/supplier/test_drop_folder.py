"""A drop folder means the same on this machine and on an SFTP server: a
move never overwrites and says when the file was already gone; and the SFTP
client refuses a server whose key it does not know, unless told otherwise."""

import contextlib
import os
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import asyncssh
import pytest
from pydantic import SecretStr

from activities.marketplaces.supplier.drop_folder import DropFolder, LocalFolder, sftp_folder
from activities.marketplaces.supplier.file_drop import FileDropIntake
from activities.marketplaces.supplier.wire import PortalOrder
from domain.portal_drops import FileDropSettings, SftpLogin
from sandbox.supplier.drops import order_csv
from sandbox.supplier.sftp_server import SftpServer
from tests.supplier.test_mailbox import ORDER


@contextlib.asynccontextmanager
async def served(root: Path) -> AsyncIterator[SftpServer]:
    server = await SftpServer(root).start()
    try:
        yield server
    finally:
        await server.stop()


def login(server: SftpServer, **extra: object) -> SftpLogin:
    return SftpLogin.model_validate(
        {"host": server.host, "port": server.port, "username": "supplier", "password": SecretStr("sandbox"), **extra}
    )


async def check_moves(folder: DropFolder) -> None:
    await folder.make_folder("orders/processed")
    await folder.write("orders/a.csv", b"first")
    await folder.write("orders/b.csv", b"second")
    assert await folder.files("orders") == ["a.csv", "b.csv"]  # folders are not files
    assert await folder.rename("orders/a.csv", "orders/processed/a.csv") is True
    assert await folder.rename("orders/a.csv", "orders/processed/a.csv") is False  # already moved
    with pytest.raises(FileExistsError):
        await folder.rename("orders/b.csv", "orders/processed/a.csv")
    assert await folder.read("orders/processed/a.csv") == b"first"
    assert await folder.files("orders/none") == []


async def test_a_local_folder_and_an_sftp_folder_move_files_alike(tmp_path: Path) -> None:
    await check_moves(LocalFolder(tmp_path / "local"))
    async with served(tmp_path / "sftp") as server, sftp_folder(login(server, accept_any_host_key=True)) as folder:
        await check_moves(folder)


async def test_an_sftp_server_with_an_unknown_key_is_refused(tmp_path: Path) -> None:
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text("")
    async with served(tmp_path / "sftp") as server:
        with pytest.raises(asyncssh.HostKeyNotVerifiable):
            async with sftp_folder(login(server, known_hosts=str(known_hosts))):
                pass


async def test_a_file_still_being_written_waits_for_a_later_poll(tmp_path: Path) -> None:
    settings = FileDropSettings(folder=str(tmp_path / "orders"), settle=timedelta(minutes=1))
    (tmp_path / "orders").mkdir()
    growing = tmp_path / "orders" / "order-PO-5001.csv"
    growing.write_bytes(order_csv(ORDER))
    taken: list[PortalOrder] = []

    async def hand_over(order: PortalOrder) -> bool:
        taken.append(order)
        return True

    intake = FileDropIntake(LocalFolder(Path(".")), settings)
    assert (await intake.poll(hand_over)).files_taken == 0
    assert growing.exists()
    written = time.time() - 61
    os.utime(growing, (written, written))  # the portal is done with it
    assert (await intake.poll(hand_over)).files_taken == 1
    assert [o.order_number for o in taken] == ["PO-5001"]
