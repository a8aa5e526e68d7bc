"""`ordertide alerts` lists the open alerts from the store, no worker needed."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from activities.store import AlertBook, Database
from domain.alerts.model import Alert, AlertKind, Severity
from starter.cli import app
from starter.console import out

runner = CliRunner()


@pytest.fixture
def store(tmp_path, monkeypatch) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("ORDERTIDE_DATABASE_URL", url)
    monkeypatch.setenv("ORDERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ORDERTIDE_CONFIG", str(tmp_path / "none.toml"))
    # The console took its width when it was imported (pytest-xdist's workers set COLUMNS=80).
    monkeypatch.setattr(out, "width", 200)
    db = Database(url)
    db.create_schema()
    yield db
    db.dispose()


def test_alerts_shows_what_is_open_and_says_so_when_nothing_is(store):
    book = AlertBook(store)
    late = Alert(
        kind=AlertKind.SHIP_BY,
        subject="order:bol:A1",
        severity=Severity.ALERT,
        message="missed its ship-by cut-off 2026-12-01 23:59 UTC; still AWAITING_PICK",
    )
    book.transition([late], datetime(2026, 12, 2, 8, tzinfo=UTC))
    result = runner.invoke(app, ["alerts"])
    assert result.exit_code == 0, result.output
    assert "ALERT" in result.output and "ship-by" in result.output and "order:bol:A1" in result.output
    assert "2026-12-02 08:00" in result.output and "missed its ship-by cut-off" in result.output

    book.transition([], datetime(2026, 12, 2, 8, 5, tzinfo=UTC))
    result = runner.invoke(app, ["alerts"])
    assert result.exit_code == 0 and "no open alerts" in result.output
