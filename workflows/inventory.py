"""InventoryWorkflow (`inventory`): the door other services use to change
stock, as validated updates that answer with the new level. Started on
demand with update-with-start; continues as new to stay small."""

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.inventory import InventoryActivities
    from domain import names
    from domain.stock import StockCommand, StockLevelView

STOCK_TIMEOUT = timedelta(seconds=30)


@workflow.defn(name=names.INVENTORY_WORKFLOW)
class InventoryWorkflow:
    @workflow.init
    def __init__(self) -> None:
        self._changes = 0

    @workflow.run
    async def run(self) -> None:
        await workflow.wait_condition(lambda: workflow.info().is_continue_as_new_suggested() or self._changes >= 1000)
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new()

    @workflow.update(name=names.UPDATE_SET_STOCK)
    async def set_stock(self, command: StockCommand) -> StockLevelView:
        self._changes += 1
        return await workflow.execute_activity_method(
            InventoryActivities.set_stock, command, start_to_close_timeout=STOCK_TIMEOUT
        )

    @set_stock.validator
    def _validate_set(self, command: StockCommand) -> None:
        if command.quantity < 0:
            raise ValueError(f"stock on hand of {command.sku} cannot be negative ({command.quantity})")

    @workflow.update(name=names.UPDATE_ADJUST_STOCK)
    async def adjust_stock(self, command: StockCommand) -> StockLevelView:
        self._changes += 1
        return await workflow.execute_activity_method(
            InventoryActivities.adjust_stock, command, start_to_close_timeout=STOCK_TIMEOUT
        )

    @workflow.update
    async def import_stock(self, commands: list[StockCommand]) -> list[str | None]:
        self._changes += 1
        return await workflow.execute_activity_method(
            InventoryActivities.import_stock, commands, start_to_close_timeout=timedelta(minutes=5)
        )
