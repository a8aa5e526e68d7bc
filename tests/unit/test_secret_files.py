"""Files holding secrets are the owner's alone from their first byte."""

import os
import stat
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from activities.store.engine import Database
from activities.store.ledger import OrderLedger
from domain.channels import Marketplace
from domain.config import BolChannelConfig
from domain.order.marketplace import Address, Order
from workers.codec import CodecKeys
from workers.codec_token import load_or_create_codec_token
from workers.secret_file import private_dir
from workers.settings import Settings, record_runtime_channels


@pytest.fixture
def no_late_tightening(monkeypatch) -> Iterator[list[str]]:
    """The most permissive umask, and chmod disabled: the mode a file gets
    is the one it was created with (and no other local user could have
    opened it in between)."""
    tightened: list[str] = []
    monkeypatch.setattr(os, "chmod", lambda path, *_a, **_k: tightened.append(str(path)))
    monkeypatch.setattr(Path, "chmod", lambda self, *_a, **_k: tightened.append(str(self)))
    previous = os.umask(0)
    try:
        yield tightened
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _codec_keys(path: Path) -> None:
    CodecKeys.generate().save(path)


def _codec_token(path: Path) -> None:
    load_or_create_codec_token(path)


def _runtime_channels(path: Path) -> None:
    channel = BolChannelConfig(client_id="sandbox", client_secret=SecretStr("sandbox-secret"))
    written = record_runtime_channels(Settings(data_dir=path.parent, channels={"bol": channel}))
    written.rename(path)


@pytest.mark.parametrize("write", [_codec_keys, _codec_token, _runtime_channels])
def test_a_secret_file_is_created_owner_only(tmp_path, no_late_tightening, write: Callable[[Path], None]):
    path = tmp_path / "secrets" / "file"
    write(path)
    assert path.read_text().strip()
    assert _mode(path) == 0o600
    assert no_late_tightening == []  # born private, not made private afterwards
    assert [p.name for p in path.parent.iterdir()] == ["file"]  # no staging file left behind


def test_a_rewritten_secret_file_stays_owner_only(tmp_path, no_late_tightening):
    path = tmp_path / "codec-keys.json"
    keys = CodecKeys.generate("k1")
    keys.save(path)
    keys.rotated("k2").save(path)
    assert CodecKeys.load(path).current == "k2"
    assert _mode(path) == 0o600


def test_the_codec_token_survives_a_restart(tmp_path):
    path = tmp_path / "codec-token"
    assert load_or_create_codec_token(path) == load_or_create_codec_token(path)


def test_the_data_dir_is_private_even_when_an_earlier_version_left_it_open(tmp_path, monkeypatch):
    previous = os.umask(0)
    try:
        fresh = private_dir(tmp_path / "fresh" / "data")
        opened = tmp_path / "opened"
        opened.mkdir(mode=0o755)
        private_dir(opened)
    finally:
        os.umask(previous)
    assert _mode(fresh) == 0o700 and _mode(opened) == 0o700


def test_the_sqlite_store_with_buyers_addresses_is_owner_only(tmp_path, no_late_tightening):
    path = tmp_path / "data" / "store.db"
    db = Database(f"sqlite:///{path}")
    db.create_schema()
    OrderLedger(db).save_order(
        Order(
            channel="bol",
            marketplace=Marketplace.BOL,
            marketplace_order_id="1043946570",
            placed_at=datetime(2026, 1, 5, 10, tzinfo=UTC),
            lines=[],
            shipping_address=Address(surname="Jansen", city="Utrecht"),
        )
    )
    db.dispose()
    assert _mode(path.parent) == 0o700
    for file in path.parent.iterdir():  # the database and its -wal/-shm files
        assert _mode(file) == 0o600, file.name
