"""Changing stock from outside, through the inventory workflow's updates
(started on demand with update-with-start), and importing CSV stock files."""

import contextlib
import csv
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TextIO, TypeVar

from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy

from domain import names
from domain.stock import (
    RowRejected,
    StockCommand,
    StockImportApply,
    StockImportBatch,
    StockImportOutcome,
    StockImportRow,
    StockLevelView,
    parse_quantity,
    parse_sku,
)

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


class BadStockFile(ValueError):
    """The file cannot be read as a stock CSV at all (not one bad row)."""


def read_stock_csv(handle: TextIO, name: str) -> Iterator[StockImportRow | RowRejected]:
    """Rows of `sku,on_hand` (header required, any case; extra columns
    ignored), one at a time: a good row, or the reason it is not, with its
    line and field. `handle` is opened with newline="" and errors="replace"."""
    reader = csv.DictReader(handle)
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise BadStockFile(f"{name}:1: {exc}") from exc
    columns = {c.strip().lower() for c in header}
    if not {"sku", "on_hand"} <= columns:
        raise BadStockFile(
            f"{name}: the header must name the columns sku and on_hand (found: {', '.join(sorted(columns)) or 'nothing'})"
        )
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # raised before the line it is about is counted
            raise BadStockFile(f"{name}:{reader.line_num + 1}: {exc}") from exc
        line = reader.line_num
        values = {k.strip().lower(): (v or "") for k, v in row.items() if isinstance(k, str)}
        try:
            sku = parse_sku(values.get("sku", ""))
        except ValueError as exc:
            yield RowRejected(line=line, field="sku", message=str(exc))
            continue
        try:
            yield StockImportRow(line=line, sku=sku, on_hand=parse_quantity(values.get("on_hand", ""), "on_hand"))
        except ValueError as exc:
            yield RowRejected(line=line, field="on_hand", message=str(exc))


@dataclass
class ImportSummary:
    rows: int
    rejected: int
    applied: int
    discarded: bool


async def import_stock(
    client: Client,
    task_queue: str,
    rows: Iterator[StockImportRow | RowRejected],
    *,
    all_or_nothing: bool = False,
    rejected: Callable[[RowRejected], None] = lambda _: None,
    staged: Callable[[int], None] = lambda _: None,
) -> ImportSummary:
    """Stage the good rows a batch at a time (the file is never held
    whole), then apply them all in one transaction; with `all_or_nothing`,
    one bad row drops them all. `rejected` hears of every bad row as it is
    found, `staged` of the last line staged."""
    import_id = uuid.uuid4().hex
    count = bad = 0
    batch: list[StockImportRow] = []

    def refused(row: RowRejected) -> None:
        nonlocal bad
        bad += 1
        rejected(row)

    async def stage() -> None:
        answer = await stock_update(
            client,
            task_queue,
            names.UPDATE_STAGE_STOCK_IMPORT,
            StockImportBatch(import_id=import_id, rows=batch),
            list[RowRejected],
        )
        for row in answer:
            refused(row)
        staged(batch[-1].line)
        batch.clear()

    try:
        for row in rows:
            count += 1
            if isinstance(row, RowRejected):
                refused(row)
                continue
            batch.append(row)
            if len(batch) >= IMPORT_BATCH:
                await stage()
        if batch:
            await stage()
    except BaseException:
        # Nothing of a file we could not read to the end is applied.
        with contextlib.suppress(Exception):
            await apply_import(client, task_queue, import_id, discard=True)
        raise
    discard = all_or_nothing and bad > 0
    outcome = await apply_import(client, task_queue, import_id, discard=discard)
    return ImportSummary(rows=count, rejected=bad, applied=outcome.applied, discarded=discard)


async def apply_import(client: Client, task_queue: str, import_id: str, *, discard: bool) -> StockImportOutcome:
    request = StockImportApply(import_id=import_id, discard=discard)
    return await stock_update(client, task_queue, names.UPDATE_APPLY_STOCK_IMPORT, request, StockImportOutcome)
