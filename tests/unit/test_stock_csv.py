"""Reading and sending a CSV stock file: every bad row named by line and
field, and the file streamed in batches, never held whole."""

import io

import pytest

from domain.stock import RowRejected, StockImportApply, StockImportBatch, StockImportOutcome, StockImportRow
from starter import stock_api


def read(text: str) -> list[StockImportRow | RowRejected]:
    return list(stock_api.read_stock_csv(io.StringIO(text, newline=""), "stock.csv"))


def test_every_bad_row_is_named_by_line_and_field():
    rows = read(
        "Sku,ON_HAND,note\n"
        "MUG,²,\n"
        "LAMP,١٢,\n"
        ",4,\n"
        "CUP,-1,\n"
        "BOWL,1.5,\n"
        "PLATE,99999999999,\n"
        "SHORT\n"
        '"MULTI\nLINE",3,\n'
        " BOARD , 12 ,\n"
    )
    assert [(r.line, r.field, r.message) for r in rows if isinstance(r, RowRejected)] == [
        (2, "on_hand", "on_hand '²' is not a whole number"),
        (3, "on_hand", "on_hand '١٢' is not a whole number"),
        (4, "sku", "sku is empty"),
        (5, "on_hand", "on_hand -1 is negative"),
        (6, "on_hand", "on_hand '1.5' is not a whole number"),
        (7, "on_hand", "on_hand 99999999999 is beyond 1,000,000,000"),
        (8, "on_hand", "on_hand is empty"),
        (10, "sku", "sku 'MULTI\\nLINE' has characters a SKU cannot have"),
    ]
    assert [r for r in rows if isinstance(r, StockImportRow)] == [StockImportRow(line=11, sku="BOARD", on_hand=12)]


def test_a_file_that_is_not_a_stock_csv_is_refused_whole_with_where():
    with pytest.raises(stock_api.BadStockFile, match=r"stock.csv: the header must name the columns sku and on_hand"):
        read("sku;on_hand\nMUG;3\n")
    with pytest.raises(stock_api.BadStockFile, match=r"^stock.csv:3: field larger than field limit"):
        read("sku,on_hand\nMUG,3\n" + "A" * 200_000 + ",4\n")


async def test_a_large_file_is_sent_in_batches_as_it_is_read(monkeypatch):
    read_so_far = 0

    def rows():
        nonlocal read_so_far
        for line in range(2, 2 + 5_000):
            read_so_far += 1
            yield StockImportRow(line=line, sku=f"SKU-{line}", on_hand=1)

    staged: list[tuple[int, int]] = []  # (rows in the batch, rows read when it was sent)
    applied: list[StockImportApply] = []

    async def update(client, task_queue, name, payload, result_type):
        if isinstance(payload, StockImportBatch):
            staged.append((len(payload.rows), read_so_far))
            return [RowRejected(line=payload.rows[0].line, field="sku", message="unknown SKU")]
        applied.append(payload)
        return StockImportOutcome(applied=4_990)

    monkeypatch.setattr(stock_api, "stock_update", update)
    summary = await stock_api.import_stock(None, "tq", rows())  # type: ignore[arg-type]
    assert staged == [(500, 500 * n) for n in range(1, 11)]
    assert (summary.rows, summary.rejected, summary.applied, summary.discarded) == (5_000, 10, 4_990, False)
    assert len(applied) == 1 and not applied[0].discard
