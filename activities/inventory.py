"""Stock changes from outside (ops, other services, CSV imports), each one
followed by a nudge to every channel's offer sync."""

import asyncio

from temporalio import activity

from activities.notify import StockNotifier
from activities.store import InventoryStore, Stock, UnknownProduct
from domain.stock import StockCommand, StockLevelView


def _view(stock: Stock) -> StockLevelView:
    return StockLevelView(sku=stock.sku, on_hand=stock.on_hand, reserved=stock.reserved, available=stock.available)


class InventoryActivities:
    def __init__(self, inventory: InventoryStore, notifier: StockNotifier):
        self.inventory = inventory
        self.notifier = notifier

    @activity.defn
    async def set_stock(self, command: StockCommand) -> StockLevelView:
        stock = await asyncio.to_thread(self.inventory.set_stock, command.sku, command.quantity)
        await self.notifier.changed([command.sku])
        return _view(stock)

    @activity.defn
    async def adjust_stock(self, command: StockCommand) -> StockLevelView:
        stock = await asyncio.to_thread(self.inventory.adjust_stock, command.sku, command.quantity)
        await self.notifier.changed([command.sku])
        return _view(stock)

    @activity.defn
    async def import_stock(self, commands: list[StockCommand]) -> list[str | None]:
        """Set many SKUs; one error message (or None) per command, in order,
        so a bad row is reported and the good rows still apply."""
        errors = await asyncio.to_thread(self._import, commands)
        await self.notifier.changed(c.sku for c, e in zip(commands, errors, strict=True) if e is None)
        return errors

    def _import(self, commands: list[StockCommand]) -> list[str | None]:
        errors: list[str | None] = []
        for command in commands:
            try:
                self.inventory.set_stock(command.sku, command.quantity)
                errors.append(None)
            except UnknownProduct:
                errors.append(f"unknown SKU {command.sku!r}")
            except ValueError as exc:
                errors.append(str(exc))
        return errors
