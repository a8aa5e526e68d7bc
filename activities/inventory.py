"""Stock changes from outside (ops, other services, CSV imports), each one
followed by a nudge to every channel's offer sync."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.notify import StockNotifier
from activities.store import InventoryStore, Stock, StockImports, StockRejected, UnknownProduct
from domain.stock import (
    STOCK_REJECTED_ERROR_TYPE,
    RowRejected,
    StockCommand,
    StockImportApply,
    StockImportBatch,
    StockImportOutcome,
    StockLevelView,
)


def _view(stock: Stock) -> StockLevelView:
    return StockLevelView(sku=stock.sku, on_hand=stock.on_hand, reserved=stock.reserved, available=stock.available)


@contextmanager
def refusals_are_final() -> Iterator[None]:
    """What the store refuses as asked fails the activity for good, with the
    store's words; anything else (a lock, a lost connection) is retried."""
    try:
        yield
    except (UnknownProduct, StockRejected) as exc:
        raise ApplicationError(str(exc), type=STOCK_REJECTED_ERROR_TYPE, non_retryable=True) from exc


def _request_id(command: StockCommand) -> str:
    # A command scheduled by older workflow code has no id: the activity's
    # own is as stable across its retries.
    if command.request_id:
        return command.request_id
    info = activity.info()
    return f"{info.workflow_run_id}/{info.activity_id}"


class InventoryActivities:
    def __init__(self, inventory: InventoryStore, notifier: StockNotifier, imports: StockImports | None = None):
        self.inventory = inventory
        self.notifier = notifier
        self.imports = imports or StockImports(inventory.db)
        self.run = inventory.db.run

    @activity.defn
    async def set_stock(self, command: StockCommand) -> StockLevelView:
        return await self._change(self.inventory.set_stock, command)

    @activity.defn
    async def adjust_stock(self, command: StockCommand) -> StockLevelView:
        return await self._change(self.inventory.adjust_stock, command)

    async def _change(self, change: Callable[..., Stock], command: StockCommand) -> StockLevelView:
        with refusals_are_final():
            stock = await self.run(change, command.sku, command.quantity, request_id=_request_id(command))
        await self.notifier.changed([command.sku])
        return _view(stock)

    @activity.defn
    async def stage_stock_import(self, batch: StockImportBatch) -> list[RowRejected]:
        return await self.run(self.imports.stage, batch)

    @activity.defn
    async def apply_stock_import(self, request: StockImportApply) -> StockImportOutcome:
        outcome = await self.run(self.imports.apply, request)
        after = 0
        while True:  # tell offer sync in pages: one signal per 1,000 SKUs, however large the file
            after, skus = await self.run(self.imports.applied_page, request.import_id, after)
            if not skus:
                break
            await self.notifier.changed(skus)
            activity.heartbeat(after)
        await self.run(self.imports.forget, request.import_id)
        return outcome

    @activity.defn
    async def import_stock(self, commands: list[StockCommand]) -> list[str | None]:
        """Set many SKUs; one error message (or None) per command, in order.
        Kept for inventory runs that scheduled it before staged imports."""
        errors = await self.run(self._import, commands)
        await self.notifier.changed(c.sku for c, e in zip(commands, errors, strict=True) if e is None)
        return errors

    def _import(self, commands: list[StockCommand]) -> list[str | None]:
        errors: list[str | None] = []
        for command in commands:
            try:
                self.inventory.set_stock(command.sku, command.quantity)
                errors.append(None)
            except (UnknownProduct, StockRejected) as exc:
                errors.append(str(exc))
        return errors
