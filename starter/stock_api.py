"""Changing stock from outside, through the inventory workflow's updates
(started on demand with update-with-start), and reading CSV stock files."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy

from domain import names
from domain.stock import StockCommand, StockLevelView

IMPORT_BATCH = 500

T = TypeVar("T")


async def stock_update(client: Client, task_queue: str, update: str, payload: object, result_type: type[T]) -> T:
    start: WithStartWorkflowOperation[Any, Any] = WithStartWorkflowOperation(
        names.INVENTORY_WORKFLOW,
        id=names.INVENTORY_WORKFLOW_ID,
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        static_summary="Stock changes from ops and other services",
    )
    return await client.execute_update_with_start_workflow(
        update, payload, start_workflow_operation=start, result_type=result_type
    )


async def set_stock(client: Client, task_queue: str, sku: str, on_hand: int) -> StockLevelView:
    command = StockCommand(sku=sku, quantity=on_hand)
    return await stock_update(client, task_queue, names.UPDATE_SET_STOCK, command, StockLevelView)


async def adjust_stock(client: Client, task_queue: str, sku: str, delta: int) -> StockLevelView:
    command = StockCommand(sku=sku, quantity=delta)
    return await stock_update(client, task_queue, names.UPDATE_ADJUST_STOCK, command, StockLevelView)


@dataclass
class CsvRow:
    line: int
    command: StockCommand | None
    error: str | None = None


def read_stock_csv(path: Path) -> Iterator[CsvRow]:
    """Rows of `sku,on_hand` (header required; extra columns ignored). A bad
    row becomes an error naming its line and field; the others still go."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = {c.strip().lower() for c in reader.fieldnames or []}
        if not {"sku", "on_hand"} <= columns:
            raise ValueError(
                f"{path}: the header must name the columns sku and on_hand (found: {', '.join(sorted(columns))})"
            )
        for row in reader:
            line = reader.line_num
            values = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
            sku, on_hand = values.get("sku", ""), values.get("on_hand", "")
            if not sku:
                yield CsvRow(line, None, "sku is empty")
            elif not on_hand.lstrip("-").isdigit():
                yield CsvRow(line, None, f"on_hand {on_hand!r} is not a whole number")
            elif int(on_hand) < 0:
                yield CsvRow(line, None, f"on_hand {on_hand} is negative")
            else:
                yield CsvRow(line, StockCommand(sku=sku, quantity=int(on_hand)))


async def import_stock(client: Client, task_queue: str, path: Path) -> list[CsvRow]:
    """Apply every good row; return all rows with their errors filled in."""
    rows = list(read_stock_csv(path))
    good = [row for row in rows if row.command is not None]
    for start in range(0, len(good), IMPORT_BATCH):
        batch = good[start : start + IMPORT_BATCH]
        errors = await stock_update(
            client, task_queue, "import_stock", [row.command for row in batch], list[str | None]
        )
        for row, error in zip(batch, errors, strict=True):
            row.error = error
    return rows
