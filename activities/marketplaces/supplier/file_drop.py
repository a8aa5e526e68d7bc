"""The file-drop intake: one CSV file per order in a drop folder. Each file
is claimed (moved to processing/), read, its order handed over, then moved
to processed/ under its order number and content hash; a file that is not
an order we can read goes to rejected/ beside a .error.txt naming the line
and field. Every step can be repeated: a claimed file is picked up again by
the next attempt, handing an order over twice starts one workflow (the id
comes from the order number), and a file whose content (hash) is already in
processed/ is only removed. So a crash between any two steps neither loses
nor doubles an order."""

import contextlib
import hashlib
import logging
import posixpath
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from activities.marketplaces.supplier.adapter import SOURCE_FACTORIES
from activities.marketplaces.supplier.csv_orders import OrderFileError, parse_order_csv
from activities.marketplaces.supplier.drafts import refused, to_portal_order
from activities.marketplaces.supplier.drop_folder import DropFolder, LocalFolder, sftp_folder
from activities.marketplaces.supplier.sources import Skip, Take
from activities.marketplaces.supplier.ssh import asyncssh
from activities.marketplaces.supplier.wire import PortalOrder
from domain.config import SupplierChannelConfig
from domain.errors import BusinessError, MarketplaceUnavailable
from domain.intake import MAX_UNREADABLE, UnreadableItem
from domain.portal_drops import PROCESSED, PROCESSING, REJECTED, FileDropSettings
from domain.portal_formats import CsvLayout

log = logging.getLogger(__name__)

ERROR_SUFFIX = ".error.txt"

# Hands one order over (saves it in the channel's inbox); True when it is new.
HandOver = Callable[[PortalOrder], Awaitable[bool]]


@dataclass
class DropResult:
    files_taken: int = 0
    orders_started: int = 0
    duplicates: int = 0
    rejected: list[str] = field(default_factory=list)
    # Files waiting in rejected/ for ops, each with the first line of its error.
    unreadable: list[UnreadableItem] = field(default_factory=list)


def processed_name(order_number: str, content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()[:16]
    safe = "".join(char if char.isalnum() or char in "-_." else "_" for char in order_number)
    return f"{safe}.{digest}.csv"


class FileDropIntake:
    def __init__(self, folder: DropFolder, settings: FileDropSettings):
        self.folder = folder
        self.settings = settings
        base = settings.folder
        self.inbox = base
        self.processing = posixpath.join(base, PROCESSING)
        self.processed = posixpath.join(base, PROCESSED)
        self.rejected = posixpath.join(base, REJECTED)

    async def poll(self, hand_over: HandOver) -> DropResult:
        result = DropResult()
        for folder in (self.processing, self.processed, self.rejected):
            await self.folder.make_folder(folder)
        # Files an earlier attempt claimed and did not finish come first.
        claimed = await self.folder.files(self.processing)
        for name in await self._new_files(self.settings.files_per_poll - len(claimed)):
            if await self.claim(name):
                claimed.append(name)
        for name in claimed:
            await self.take(name, hand_over, result)
            result.files_taken += 1
        result.unreadable = await self.waiting_in_rejected()
        return result

    async def _new_files(self, room: int) -> list[str]:
        """CSV files the portal has finished writing: one written to within
        `settle` may still be growing, and waits for the next poll."""
        if room <= 0:
            return []
        names = [name for name in await self.folder.files(self.inbox) if name.lower().endswith(".csv")]
        settle = self.settings.settle.total_seconds()
        if settle > 0:
            now = time.time()
            names = [n for n in names if now - await self.folder.modified(posixpath.join(self.inbox, n)) >= settle]
        return names[:room]

    async def claim(self, name: str) -> bool:
        """Move a new file into processing/; False when another reader took it first."""
        try:
            return await self.folder.rename(posixpath.join(self.inbox, name), posixpath.join(self.processing, name))
        except FileExistsError:
            # The portal wrote the same name again while the first is still being taken.
            return False

    async def take(self, name: str, hand_over: HandOver, result: DropResult) -> None:
        path = posixpath.join(self.processing, name)
        content = await self.read(path)
        try:
            order = self.parse(content)
        except OrderFileError as error:
            await self.reject(name, content, error)
            result.rejected.append(name)
            return
        if await self.hand_over(order, hand_over):
            result.orders_started += 1
        else:
            result.duplicates += 1
        await self.finish(name, processed_name(order.order_number, content))

    async def read(self, path: str) -> bytes:
        return await self.folder.read(path)

    def parse(self, content: bytes) -> PortalOrder:
        return read_order_file(content, self.settings.layout)

    async def hand_over(self, order: PortalOrder, hand_over: HandOver) -> bool:
        return await hand_over(order)

    async def finish(self, name: str, target: str) -> None:
        source = posixpath.join(self.processing, name)
        try:
            await self.folder.rename(source, posixpath.join(self.processed, target))
        except FileExistsError:
            # The very same content was taken before: it is a duplicate, nothing to keep.
            await self.folder.remove(source)

    async def reject(self, name: str, content: bytes, error: OrderFileError) -> None:
        log.warning("order file %s rejected: %s", name, error)
        target = name
        if await self.folder.exists(posixpath.join(self.rejected, target)):
            # Another file of that name was rejected before: keep both.
            target = f"{name.removesuffix('.csv')}.{hashlib.sha256(content).hexdigest()[:12]}.csv"
        # The reason first: a crash after it leaves the file claimed, and the next attempt rejects it again.
        await self.folder.write(posixpath.join(self.rejected, target + ERROR_SUFFIX), f"{error}\n".encode())
        try:
            await self.folder.rename(posixpath.join(self.processing, name), posixpath.join(self.rejected, target))
        except FileExistsError:
            await self.folder.remove(posixpath.join(self.processing, name))

    async def waiting_in_rejected(self) -> list[UnreadableItem]:
        """Every rejected file still there is reported, until ops remove it
        (or put a corrected file in the drop folder)."""
        names = [name for name in await self.folder.files(self.rejected) if not name.endswith(ERROR_SUFFIX)]
        items = []
        for name in names[-MAX_UNREADABLE:]:
            try:
                reason = (await self.folder.read(posixpath.join(self.rejected, name + ERROR_SUFFIX))).decode().strip()
            except (OSError, UnicodeDecodeError):
                reason = "rejected (its .error.txt is gone)"
            items.append(UnreadableItem(kind="file", item_id=name, reason=reason.splitlines()[0] if reason else ""))
        return items


def read_order_file(content: bytes, layout: CsvLayout) -> PortalOrder:
    """The file's portal order; OrderFileError naming the line and column of
    whatever the file or the portal order's rules refuse."""
    draft = parse_order_csv(content, layout)
    try:
        return to_portal_order(draft)
    except ValidationError as exc:
        error = exc.errors()[0]
        item, portal_field = refused(tuple(error["loc"]))
        line = draft.lines[item].source_line if item is not None else draft.lines[0].source_line
        column = layout.columns.get(portal_field) if portal_field else None
        raise OrderFileError(str(error["msg"]), line=line, field=column) from None


class FileSource:
    """The channel's file drop as an order source (sources.OrderSource)."""

    via = "file"

    def __init__(self, channel: str, settings: FileDropSettings):
        self.channel = channel
        self.settings = settings

    @contextlib.asynccontextmanager
    async def folder(self) -> AsyncIterator[DropFolder]:
        if self.settings.sftp is not None:
            async with sftp_folder(self.settings.sftp) as folder:
                yield folder
        else:
            yield LocalFolder(Path("."))

    def intake(self, folder: DropFolder) -> FileDropIntake:
        return FileDropIntake(folder, self.settings)

    async def read(self, since: datetime | None, now: datetime, take: Take, skip: Skip) -> None:
        async def hand_over(order: PortalOrder) -> bool:
            return (await take(order)).new

        async with self.folder() as folder:
            result = await self.intake(folder).poll(hand_over)
        for item in result.unreadable:
            skip(item)

    async def check(self) -> None:
        login = self.settings.sftp
        if login is None:
            return  # a folder on this machine: no login to try
        where = f"the portal's SFTP server {login.host}:{login.port}"
        try:
            async with self.folder() as folder:
                await folder.files(self.settings.folder)
        except (asyncssh.PermissionDenied, asyncssh.HostKeyNotVerifiable) as exc:
            raise BusinessError(f"{where} refused user {login.username}: {exc.reason}") from exc
        except (OSError, asyncssh.Error) as exc:
            raise MarketplaceUnavailable(f"{where} cannot be reached: {exc}") from exc

    async def aclose(self) -> None:
        """Each read opens and closes its own connection."""


def file_source(channel: str, config: SupplierChannelConfig) -> FileSource:
    return FileSource(channel, config.file)


SOURCE_FACTORIES["file"] = file_source
