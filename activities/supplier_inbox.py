"""The supplier portal's inbox on the store: what the adapter's PortalInbox
protocol asks, on the store's own threads."""

from activities.marketplaces.supplier.inbox import Saved
from activities.marketplaces.supplier.wire import PortalOrder
from activities.store.supplier_inbox import SupplierInboxStore


class StoreInbox:
    def __init__(self, store: SupplierInboxStore):
        self.store = store

    async def save(self, channel: str, order: PortalOrder, via: str) -> Saved:
        saved = await self.store.db.run(self.store.save, channel, order.order_number, order.model_dump_json(), via)
        conflict = None
        if saved.conflicting_via is not None:
            conflict = (
                f"delivered again by {via} with other content than its first delivery (by {saved.conflicting_via}); "
                "the first is kept: check the order on the portal"
            )
        return Saved(order_number=order.order_number, new=saved.new, conflict=conflict)

    async def get(self, channel: str, order_number: str) -> PortalOrder | None:
        body = await self.store.db.run(self.store.get, channel, order_number)
        return PortalOrder.model_validate_json(body) if body is not None else None

    async def mark_read(self, channel: str, order_number: str) -> None:
        await self.store.db.run(self.store.mark_read, channel, order_number)

    async def waiting(self, channel: str, limit: int = 100) -> list[PortalOrder]:
        bodies = await self.store.db.run(self.store.waiting, channel, limit)
        return [PortalOrder.model_validate_json(body) for body in bodies]


class NoInbox:
    """For commands that build channels without the store (credential
    checks): any use of the inbox is a bug there, said plainly."""

    def _fail(self) -> RuntimeError:
        return RuntimeError("the supplier inbox needs the store: build Channels with inbox=")

    async def save(self, channel: str, order: PortalOrder, via: str) -> Saved:
        raise self._fail()

    async def get(self, channel: str, order_number: str) -> PortalOrder | None:
        raise self._fail()

    async def mark_read(self, channel: str, order_number: str) -> None:
        raise self._fail()

    async def waiting(self, channel: str, limit: int = 100) -> list[PortalOrder]:
        raise self._fail()
