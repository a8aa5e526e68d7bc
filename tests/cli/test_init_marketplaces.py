"""`ordertide init` for every marketplace a channel can be on, against the
Kaufland and supplier portal sandboxes over real HTTP: the credentials are
tried before anything is written, secrets are kept apart, and the file
written loads as the channel it says."""

import stat
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from domain.config import KauflandChannelConfig, SupplierChannelConfig
from domain.storefronts import Storefront
from sandbox.kaufland.app import create_app as create_kaufland
from sandbox.supplier.app import create_app as create_portal
from starter.cli import app
from tests.cli.test_init import init as init_bol
from workers.http import ServerHandle, serve_in_thread
from workers.settings import load_settings

runner = CliRunner()


@pytest.fixture
def kaufland_server() -> Iterator[ServerHandle]:
    server = serve_in_thread(create_kaufland())
    yield server
    server.stop()


@pytest.fixture
def portal_server() -> Iterator[ServerHandle]:
    server = serve_in_thread(create_portal())
    yield server
    server.stop()


def init(config: Path, *flags: str, answers: str | None = None):
    return runner.invoke(app, ["init", "--config", str(config), *flags], input=answers)


def kaufland_flags(server: ServerHandle, channel: str = "kaufland-de") -> tuple[str, ...]:
    return ("--channel", channel, "--marketplace", "kaufland", "--api-base-url", f"{server.url}/v2")


def test_a_kaufland_account_is_added_beside_bol_with_its_secret_key_kept_apart(
    bol_server, kaufland_server, tmp_path, monkeypatch
):
    config = tmp_path / "ordertide.toml"
    assert init_bol(bol_server, config, "--channel", "bol-nl", "--client-id", "sandbox").exit_code == 0

    wrong = init(config, *kaufland_flags(kaufland_server), "--client-key", "sandbox", "--add", answers="guessed\n")
    assert wrong.exit_code == 1
    [line] = wrong.stderr.strip().splitlines()
    assert line.startswith("error: channel kaufland-de: ") and "signature" in line
    assert "kaufland" not in config.read_text()

    flags = (*kaufland_flags(kaufland_server), "--client-key", "sandbox", "--storefront", "DE", "--add")
    result = init(config, *flags, answers="sandbox\n")

    assert result.exit_code == 0, result.output
    assert "channel kaufland-de: credentials accepted" in result.stdout
    written = tomllib.loads(config.read_text())["channels"]
    assert written["kaufland-de"] == {
        "marketplace": "kaufland",
        "client_key": "sandbox",
        "storefront": "de",
        "api_base_url": f"{kaufland_server.url}/v2",
    }
    secrets = tmp_path / "ordertide.secrets.toml"
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    kept = tomllib.loads(secrets.read_text())["channels"]
    assert kept["kaufland-de"] == {"secret_key": "sandbox"} and kept["bol-nl"] == {"client_secret": "sandbox"}

    monkeypatch.setenv("ORDERTIDE_CONFIG", str(config))
    loaded = load_settings().channels
    assert set(loaded) == {"bol-nl", "kaufland-de"}
    channel = loaded["kaufland-de"]
    assert isinstance(channel, KauflandChannelConfig) and channel.storefront is Storefront.DE
    assert channel.secret_key is not None and channel.secret_key.get_secret_value() == "sandbox"


def test_a_kaufland_secret_key_kept_in_the_environment_is_checked_and_never_written(
    kaufland_server, tmp_path, monkeypatch
):
    config = tmp_path / "ordertide.toml"
    monkeypatch.setenv("KAUFLAND_SECRET", "sandbox")
    # As README "Going live" has it, on the sandbox.
    flags = ("--add", *kaufland_flags(kaufland_server), "--client-key", "sandbox")
    result = init(config, *flags, "--secret-key-env", "KAUFLAND_SECRET", "--storefront", "de")

    assert result.exit_code == 0, result.output
    assert "set KAUFLAND_SECRET wherever ordertide runs" in result.stdout
    assert not (tmp_path / "ordertide.secrets.toml").exists()
    assert tomllib.loads(config.read_text())["channels"]["kaufland-de"]["secret_key_env"] == "KAUFLAND_SECRET"


def test_a_supplier_portal_is_checked_with_its_api_key(portal_server, tmp_path, monkeypatch):
    config = tmp_path / "ordertide.toml"
    flags = ("--channel", "acme", "--marketplace", "supplier", "--api-base-url", portal_server.url)
    named = ("--portal-name", "Acme supplier portal")

    wrong = init(config, *flags, answers="guessed\n")
    assert wrong.exit_code == 1
    assert wrong.stderr.strip().splitlines() == ["error: channel acme: the portal refused GET /api/v1/orders: 401"]
    assert not config.exists()

    monkeypatch.setenv("ACME_KEY", "sandbox")
    result = init(config, "--add", *flags, "--api-key-env", "ACME_KEY", *named)  # as README "Going live" has it

    assert result.exit_code == 0, result.output
    assert "channel acme: credentials accepted" in result.stdout
    assert "set ACME_KEY wherever ordertide runs" in result.stdout
    assert "docs/supplier.md" in result.stdout  # a file drop or a mailbox is set by hand
    written = tomllib.loads(config.read_text())["channels"]["acme"]
    assert written == {
        "marketplace": "supplier",
        "intake": "api",
        "portal_name": "Acme supplier portal",
        "api": {"base_url": portal_server.url, "api_key_env": "ACME_KEY"},
    }
    monkeypatch.setenv("ORDERTIDE_CONFIG", str(config))
    channel = load_settings().channels["acme"]
    assert isinstance(channel, SupplierChannelConfig)
    assert channel.api.api_key is not None and channel.api.api_key.get_secret_value() == "sandbox"


def test_at_the_prompts_a_marketplace_not_known_is_asked_again(kaufland_server, tmp_path):
    config = tmp_path / "ordertide.toml"
    answers = ["kl-de", "amazon", "kaufland", "de", "sandbox", "sandbox", "n"]

    result = init(config, "--api-base-url", f"{kaufland_server.url}/v2", answers="\n".join(answers) + "\n")

    assert result.exit_code == 0, result.output
    assert "'amazon' is not one of bol, kaufland, supplier" in result.stderr
    assert tomllib.loads(config.read_text())["channels"]["kl-de"]["marketplace"] == "kaufland"


@pytest.mark.parametrize(
    ("flags", "line"),
    [
        (("--marketplace", "kaufland", "--storefront", "uk"), "error: --storefront: 'uk' is not one of de, cz, sk, pl"),
        (("--marketplace", "supplier"), "error: --api-base-url: a supplier portal channel needs its API's URL"),
        (("--marketplace", "bol", "--api-key-env", "X"), "error: --api-key-env: goes with --marketplace supplier"),
    ],
)
def test_bad_input_for_a_marketplace_is_one_line_naming_the_flag(tmp_path, flags, line):
    result = init(tmp_path / "ordertide.toml", "--channel", "shop", *flags)
    assert result.exit_code == 1
    [only] = result.stderr.strip().splitlines()
    assert only.startswith(line)
    assert not (tmp_path / "ordertide.toml").exists()
