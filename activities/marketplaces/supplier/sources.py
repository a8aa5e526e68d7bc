"""Pull transports: each reads the portal's new orders its own way (the API
by date-time range here; the file drop and the mailbox in their own
modules) and hands every one to `Taker.take`, which saves it in the inbox.
A transport does its own clean-up (moving a file, flagging a mail) only
after `take` returned: a crash in between reads the order again, and the
inbox makes the second delivery a no-op."""

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Protocol

from pydantic import ValidationError

from activities.marketplaces.supplier.api import PortalApi
from activities.marketplaces.supplier.inbox import Saved
from activities.marketplaces.supplier.wire import PortalOrder, problems
from domain.intake import UnreadableItem

Take = Callable[[PortalOrder], Awaitable[Saved]]
Skip = Callable[[UnreadableItem], None]


class OrderSource(Protocol):
    via: str

    async def read(self, since: datetime | None, now: datetime, take: Take, skip: Skip) -> None:
        """Hand each order found to `take`; report each unreadable one to
        `skip` (naming the item and the field) and go on with the next."""

    async def check(self) -> None:
        """Log in and make one harmless read (the credentials check at start):
        BusinessError when the login is refused, MarketplaceUnavailable when
        the server cannot be reached."""

    async def aclose(self) -> None: ...


class ApiSource:
    """Orders placed in [since - overlap, now], page by page. The window
    overlaps the previous one, so an order the portal files a little late is
    read in the next poll; the inbox and the workflow id make the repeats
    no-ops. `since` None (first poll, sweep) reads `lookback` back."""

    via = "api"

    def __init__(self, api: PortalApi, overlap: timedelta, lookback: timedelta):
        self.api = api
        self.overlap = overlap
        self.lookback = lookback

    async def read(self, since: datetime | None, now: datetime, take: Take, skip: Skip) -> None:
        start = now - self.lookback if since is None else since - self.overlap
        page, total = 1, 1
        while page <= total:
            listed = await self.api.orders_page(start, now, page)
            total = listed.total_pages
            for raw in listed.orders:
                try:
                    order = PortalOrder.model_validate(raw)
                except ValidationError as exc:
                    number = str(raw.get("order_number", "?"))[:64]
                    skip(UnreadableItem(kind="order", item_id=number, reason=problems(exc)))
                    continue
                await take(order)
            page += 1

    async def check(self) -> None:
        """The adapter checks the API itself."""

    async def aclose(self) -> None:
        """The API client belongs to the adapter."""
