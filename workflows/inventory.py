"""InventoryWorkflow (`inventory`): the door other services use to change
stock, as validated updates that answer with the new level. Started on
demand with update-with-start; continues as new to stay small.

The validators reject what the command alone shows to be wrong. Whether a
SKU exists and how much is on hand only the store knows at the moment of
the change (orders reserve and ship beside this workflow, the catalog
changes beside it), so the store decides inside the change's transaction;
its refusal fails the activity for good and the handler hands it to the
caller as the update's error."""

from collections.abc import Awaitable, Callable
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.inventory import InventoryActivities
    from domain import names
    from domain.stock import (
        MAX_QUANTITY,
        STOCK_REJECTED_ERROR_TYPE,
        RowRejected,
        StockCommand,
        StockImportApply,
        StockImportBatch,
        StockImportOutcome,
        StockLevelView,
        parse_sku,
    )

STOCK_TIMEOUT = timedelta(seconds=30)
IMPORT_TIMEOUT = timedelta(minutes=5)
IMPORT_BATCH_LIMIT = 1000


def _refused_by_store(exc: ActivityError) -> ApplicationError | None:
    cause = exc.cause
    if isinstance(cause, ApplicationError) and cause.type == STOCK_REJECTED_ERROR_TYPE:
        return ApplicationError(cause.message, type=STOCK_REJECTED_ERROR_TYPE, non_retryable=True)
    return None


def _check(command: StockCommand, field: str) -> None:
    if parse_sku(command.sku) != command.sku:
        raise ValueError(f"sku {command.sku!r} has spaces around it")
    if abs(command.quantity) > MAX_QUANTITY:
        raise ValueError(f"{field} {command.quantity} of {command.sku} is beyond {MAX_QUANTITY:,}")


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

    async def _change(
        self, activity: Callable[[InventoryActivities, StockCommand], Awaitable[StockLevelView]], command: StockCommand
    ) -> StockLevelView:
        self._changes += 1
        # The update's id makes the change happen once, however often the
        # activity is retried or the caller sends the same update again.
        update = workflow.current_update_info()
        if update is not None and command.request_id is None:
            command = command.model_copy(update={"request_id": update.id})
        try:
            return await workflow.execute_activity_method(activity, command, start_to_close_timeout=STOCK_TIMEOUT)
        except ActivityError as exc:
            refused = _refused_by_store(exc)
            if refused is None:
                raise
            raise refused from None

    @workflow.update(name=names.UPDATE_SET_STOCK)
    async def set_stock(self, command: StockCommand) -> StockLevelView:
        return await self._change(InventoryActivities.set_stock, command)

    @set_stock.validator
    def _validate_set(self, command: StockCommand) -> None:
        _check(command, "on_hand")
        if command.quantity < 0:
            raise ValueError(f"stock on hand of {command.sku} cannot be negative ({command.quantity})")

    @workflow.update(name=names.UPDATE_ADJUST_STOCK)
    async def adjust_stock(self, command: StockCommand) -> StockLevelView:
        return await self._change(InventoryActivities.adjust_stock, command)

    @adjust_stock.validator
    def _validate_adjust(self, command: StockCommand) -> None:
        _check(command, "delta")
        if command.quantity == 0:
            raise ValueError(f"the adjustment of {command.sku} is 0: nothing to change")

    @workflow.update(name=names.UPDATE_STAGE_STOCK_IMPORT)
    async def stage_stock_import(self, batch: StockImportBatch) -> list[RowRejected]:
        self._changes += 1
        return await workflow.execute_activity_method(
            InventoryActivities.stage_stock_import, batch, start_to_close_timeout=STOCK_TIMEOUT
        )

    @stage_stock_import.validator
    def _validate_stage(self, batch: StockImportBatch) -> None:
        if not batch.import_id or len(batch.rows) > IMPORT_BATCH_LIMIT:
            raise ValueError(f"an import batch needs an import id and at most {IMPORT_BATCH_LIMIT} rows")

    @workflow.update(name=names.UPDATE_APPLY_STOCK_IMPORT)
    async def apply_stock_import(self, request: StockImportApply) -> StockImportOutcome:
        self._changes += 1
        return await workflow.execute_activity_method(
            InventoryActivities.apply_stock_import, request, start_to_close_timeout=IMPORT_TIMEOUT
        )

    # Replaced by the staged import; kept so runs that accepted it still replay.
    @workflow.update
    async def import_stock(self, commands: list[StockCommand]) -> list[str | None]:
        self._changes += 1
        return await workflow.execute_activity_method(
            InventoryActivities.import_stock, commands, start_to_close_timeout=timedelta(minutes=5)
        )
