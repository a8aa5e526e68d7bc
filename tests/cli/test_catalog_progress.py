"""How a long `catalog import` shows it is getting on: a bar on a terminal,
a plain line every 10,000 rows in a log (stdout stays the summary)."""

from pathlib import Path

from tests.cli.test_catalog_cli import offline_env
from tests.cli.test_cli import ordertide

HEADER = "sku,ean,title,list_price\n"


def ean13(n: int) -> str:
    digits = f"871{n:09d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def catalog_file(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(HEADER)
        handle.writelines(f"SKU-{n:06d},{ean13(n)},Product {n},12.95\n" for n in range(rows))
    return path


async def test_a_terminal_gets_a_bar_and_a_log_gets_a_line_every_ten_thousand_rows(tmp_path):
    env = offline_env(tmp_path)

    small = catalog_file(tmp_path / "small.csv", 3)
    # TTY_COMPATIBLE: rich takes stderr for a terminal, as it would in a seller's shell.
    code, out, err = await ordertide("catalog", "import", str(small), env={**env, "TTY_COMPATIBLE": "1"})
    assert code == 0, err
    assert "small.csv" in err and "3/3" in err and "━" in err
    assert "rows read" not in err
    assert "3 of 3 rows applied: 3 new" in out

    large = catalog_file(tmp_path / "large.csv", 10_001)
    (tmp_path / "log").mkdir()
    code, out, err = await ordertide("catalog", "import", str(large), env=offline_env(tmp_path / "log"))
    assert code == 0, err
    assert f"{large}: 10000 rows read" in err.splitlines()
    assert "━" not in err
    assert "10001 of 10001 rows applied: 10001 new" in out
