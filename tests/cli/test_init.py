"""`ordertide init` against the bol sandbox over real HTTP: a seller's first
command, with a right and a wrong secret."""

import stat
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sandbox.plaza.app import create_app as create_plaza
from starter.cli import app
from tests.support import as_bol
from workers.codec import CodecKeys
from workers.http import ServerHandle, serve_in_thread
from workers.settings import load_settings

runner = CliRunner()


def init(bol_server: ServerHandle, config: Path, *flags: str, secret: str | None = "sandbox"):
    args = ["init", "--config", str(config), "--api-base-url", bol_server.url, "--token-url", f"{bol_server.url}/token"]
    return runner.invoke(app, [*args, *flags], input=f"{secret}\n" if secret is not None else None)


def test_init_checks_the_secret_and_keeps_it_in_a_file_only_the_seller_can_read(bol_server, tmp_path, monkeypatch):
    config = tmp_path / "ordertide.toml"
    result = init(bol_server, config, "--channel", "bol-nl", "--client-id", "sandbox", "--retailer-id", "1234567")

    assert result.exit_code == 0, result.output
    assert "channel bol-nl: credentials accepted" in result.stdout
    assert "client_secret =" not in config.read_text()
    written = tomllib.loads(config.read_text())["channels"]["bol-nl"]
    assert "client_secret" not in written and written["api_base_url"] == bol_server.url
    secrets = tmp_path / "ordertide.secrets.toml"
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    assert tomllib.loads(secrets.read_text())["channels"]["bol-nl"]["client_secret"] == "sandbox"

    monkeypatch.setenv("ORDERTIDE_CONFIG", str(config))
    loaded = as_bol(load_settings().channels["bol-nl"])
    assert loaded.client_secret is not None and loaded.client_secret.get_secret_value() == "sandbox"
    assert loaded.retailer_id == "1234567" and loaded.token_url == f"{bol_server.url}/token"


def test_a_wrong_secret_is_one_line_naming_the_channel_and_nothing_is_written(bol_server, tmp_path):
    config = tmp_path / "ordertide.toml"
    # A right secret first: its cached token must not let the wrong one through.
    assert init(bol_server, tmp_path / "first.toml", "--channel", "bol-nl", "--client-id", "sandbox").exit_code == 0

    result = init(bol_server, config, "--channel", "bol-nl", "--client-id", "sandbox", secret="not-the-secret")

    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "error: channel bol-nl: bol rejected the credentials: Bad client credentials"
    ]
    assert not config.exists() and not (tmp_path / "ordertide.secrets.toml").exists()


def test_a_secret_kept_in_the_environment_is_checked_and_never_written(bol_server, tmp_path, monkeypatch):
    config = tmp_path / "ordertide.toml"
    monkeypatch.setenv("BOL_SECRET", "sandbox")
    flags = ("--channel", "bol_be", "--client-id", "sandbox", "--client-secret-env", "BOL_SECRET")

    result = init(bol_server, config, *flags, secret=None)

    assert result.exit_code == 0, result.output
    assert "set BOL_SECRET wherever ordertide runs" in result.stdout
    assert not (tmp_path / "ordertide.secrets.toml").exists()
    assert tomllib.loads(config.read_text())["channels"]["bol_be"]["client_secret_env"] == "BOL_SECRET"
    monkeypatch.setenv("ORDERTIDE_CONFIG", str(config))
    loaded = as_bol(load_settings().channels["bol_be"])
    assert loaded.client_secret is not None and loaded.client_secret.get_secret_value() == "sandbox"

    monkeypatch.setenv("BOL_SECRET", "wrong")
    result = init(bol_server, tmp_path / "other.toml", *flags, secret=None)
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: channel bol_be: bol rejected the credentials: Bad client credentials"


def test_an_existing_config_is_replaced_only_with_force(bol_server, tmp_path):
    config = tmp_path / "ordertide.toml"
    config.write_text("# the seller's own\n")

    result = init(bol_server, config, "--channel", "bol", "--client-id", "sandbox")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"error: {config} already exists; --add adds channels to it, --force replaces it"
    assert config.read_text() == "# the seller's own\n"

    assert init(bol_server, config, "--channel", "bol", "--client-id", "sandbox", "--force").exit_code == 0
    assert "[channels.bol]" in config.read_text()


def test_a_person_at_a_terminal_is_asked_for_each_channel(bol_server, tmp_path):
    config = tmp_path / "ordertide.toml"
    first = ["bol-nl", "bol", "1234567", "n", "sandbox", "sandbox", "y"]
    answers = [*first, "bol-be", "bol", "", "n", "sandbox", "sandbox", "n"]
    args = ["init", "--config", str(config), "--api-base-url", bol_server.url, "--token-url", f"{bol_server.url}/token"]

    result = runner.invoke(app, args, input="\n".join(answers) + "\n")

    assert result.exit_code == 0, result.output
    channels = tomllib.loads(config.read_text())["channels"]
    assert set(channels) == {"bol-nl", "bol-be"} and channels["bol-nl"]["retailer_id"] == "1234567"
    assert "retailer_id" not in channels["bol-be"]


@pytest.mark.parametrize(
    ("flags", "line"),
    [
        (("--channel", "Bol NL"), "error: --channel: 'Bol NL' must be lowercase letters, digits, - or _, "),
        (
            ("--channel", "az", "--marketplace", "amazon"),
            "error: --marketplace: 'amazon' is not one of bol, kaufland, supplier",
        ),
        (
            ("--channel", "kl", "--marketplace", "kaufland"),
            "error: --client-id: goes with --marketplace bol, not kaufland",
        ),
        (("--channel", "b", "--client-secret-env", "NOT_SET_ANYWHERE"), "error: --client-secret-env: NOT_SET_ANYWHERE"),
    ],
)
def test_bad_input_is_one_line_naming_the_field(bol_server, tmp_path, flags, line):
    result = init(bol_server, tmp_path / "ordertide.toml", *flags, "--client-id", "sandbox")
    assert result.exit_code == 1
    [only] = result.stderr.strip().splitlines()
    assert only.startswith(line)


@pytest.fixture
def plaza_server() -> Iterator[ServerHandle]:
    server = serve_in_thread(create_plaza())
    yield server
    server.stop()


def test_a_channel_on_plaza_has_its_plaza_keys_checked_and_kept_apart(bol_server, plaza_server, tmp_path, monkeypatch):
    config = tmp_path / "ordertide.toml"
    plaza = ("--plaza-public-key", "sandbox", "--plaza-base-url", plaza_server.url)

    # Client secret, then Plaza private key, at the prompts.
    result = runner.invoke(
        app,
        [
            *("init", "--config", str(config), "--channel", "bol-nl", "--client-id", "sandbox", *plaza),
            *("--api-base-url", bol_server.url, "--token-url", f"{bol_server.url}/token"),
        ],
        input="sandbox\nsandbox\n",
    )

    assert result.exit_code == 0, result.output
    written = tomllib.loads(config.read_text())["channels"]["bol-nl"]
    assert written["offer_transport"] == "plaza" and written["plaza"]["public_key"] == "sandbox"
    assert "private_key" not in written["plaza"]
    secrets = tmp_path / "ordertide.secrets.toml"
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    assert tomllib.loads(secrets.read_text())["channels"]["bol-nl"]["plaza"]["private_key"] == "sandbox"
    monkeypatch.setenv("ORDERTIDE_CONFIG", str(config))
    loaded = as_bol(load_settings().channels["bol-nl"]).plaza.private_key
    assert loaded is not None and loaded.get_secret_value() == "sandbox"

    monkeypatch.setenv("PLAZA_KEY", "guessed")
    result = init(
        bol_server,
        tmp_path / "other.toml",
        "--channel",
        "bol-nl",
        "--client-id",
        "sandbox",
        *plaza,
        "--plaza-private-key-env",
        "PLAZA_KEY",
    )
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: channel bol-nl: bol Plaza refused the keys: X-BOL-Authorization does not match the request [41202]"
    )

    monkeypatch.setenv("PLAZA_KEY", "sandbox")
    from_env = tmp_path / "from-env.toml"
    flags = ("--channel", "bol-nl", "--client-id", "sandbox", *plaza, "--plaza-private-key-env", "PLAZA_KEY")
    assert init(bol_server, from_env, *flags).exit_code == 0
    assert "private_key" not in (tmp_path / "from-env.secrets.toml").read_text()
    monkeypatch.setenv("ORDERTIDE_CONFIG", str(from_env))
    loaded = as_bol(load_settings().channels["bol-nl"]).plaza.private_key
    assert loaded is not None and loaded.get_secret_value() == "sandbox"


def test_a_channel_name_given_twice_at_the_prompts_is_asked_again(bol_server, tmp_path):
    config = tmp_path / "ordertide.toml"
    first = ["bol", "bol", "", "n", "sandbox", "sandbox", "y"]
    answers = [*first, "bol", "bol-be", "bol", "", "n", "sandbox", "sandbox", "n"]
    args = ["init", "--config", str(config), "--api-base-url", bol_server.url, "--token-url", f"{bol_server.url}/token"]

    result = runner.invoke(app, args, input="\n".join(answers) + "\n")

    assert result.exit_code == 0, result.output
    assert "bol is set up already: choose another name" in result.stderr
    assert set(tomllib.loads(config.read_text())["channels"]) == {"bol", "bol-be"}


def test_a_marketplace_that_cannot_be_reached_is_one_line_and_nothing_is_written(tmp_path):
    config = tmp_path / "ordertide.toml"
    unreachable = "http://127.0.0.1:9"  # the discard port: nothing listens there
    args = ["init", "--config", str(config), "--channel", "bol-nl", "--client-id", "sandbox"]

    result = runner.invoke(
        app, [*args, "--api-base-url", unreachable, "--token-url", f"{unreachable}/token"], input="x\n"
    )

    assert result.exit_code == 1
    [only] = result.stderr.strip().splitlines()
    assert only.startswith("error: channel bol-nl: credentials not checked, bol unreachable: ")
    assert not config.exists()


def test_a_second_seller_account_is_added_and_everything_already_there_is_kept(bol_server, tmp_path, monkeypatch):
    config = tmp_path / "ordertide.toml"
    assert init(bol_server, config, "--channel", "bol-nl", "--client-id", "sandbox").exit_code == 0
    config.write_text(config.read_text() + "\n[webhooks]\nburst = 100  # the seller's own\n")
    monkeypatch.setenv("BOL_BE_SECRET", "sandbox")

    flags = ("--channel", "bol-be", "--client-id", "sandbox", "--client-secret-env", "BOL_BE_SECRET", "--add")
    result = init(bol_server, config, *flags, secret=None)

    assert result.exit_code == 0, result.output
    assert "burst = 100  # the seller's own" in config.read_text()
    secrets = tmp_path / "ordertide.secrets.toml"
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    monkeypatch.setenv("ORDERTIDE_CONFIG", str(config))
    settings = load_settings()
    assert set(settings.channels) == {"bol-nl", "bol-be"} and settings.webhooks.burst == 100
    assert all(
        c.client_secret and c.client_secret.get_secret_value() == "sandbox"
        for c in map(as_bol, settings.channels.values())
    )

    again = init(bol_server, config, *flags, secret=None)
    assert again.exit_code == 1
    assert again.stderr.strip() == f"error: --channel: bol-be is in {config} already; --force replaces the whole file"


def test_starting_warns_when_the_secrets_file_has_become_readable_by_others(bol_server, tmp_path, monkeypatch):
    config = tmp_path / "ordertide.toml"
    assert init(bol_server, config, "--channel", "bol-nl", "--client-id", "sandbox").exit_code == 0
    secrets = tmp_path / "ordertide.secrets.toml"
    monkeypatch.setenv("ORDERTIDE_CONFIG", str(config))
    # `ordertide worker` fails at once (nothing listens on Temporal's port), after its start check.
    monkeypatch.setenv("TEMPORAL_ADDRESS", "127.0.0.1:9")

    def worker_stderr() -> str:
        return subprocess.run(
            [sys.executable, "-m", "starter.cli", "worker"], capture_output=True, text=True, timeout=60, cwd=tmp_path
        ).stderr

    assert "can be read by others" not in worker_stderr()
    secrets.chmod(0o644)
    assert f"warning: {secrets} can be read by others than you; chmod 600 {secrets}" in worker_stderr()


def test_a_worker_without_a_codec_key_file_says_its_payloads_are_stored_unencrypted(bol_server, tmp_path, monkeypatch):
    config = tmp_path / "ordertide.toml"
    assert init(bol_server, config, "--channel", "bol-nl", "--client-id", "sandbox").exit_code == 0
    monkeypatch.setenv("ORDERTIDE_CONFIG", str(config))
    monkeypatch.setenv("TEMPORAL_ADDRESS", "127.0.0.1:9")  # the worker stops at connect, after its start checks

    def worker_stderr() -> str:
        return subprocess.run(
            [sys.executable, "-m", "starter.cli", "worker"], capture_output=True, text=True, timeout=60, cwd=tmp_path
        ).stderr

    assert "unencrypted" in worker_stderr()
    CodecKeys.generate().save(tmp_path / ".ordertide" / "codec-keys.json")  # what `ordertide run` leaves
    assert "unencrypted" not in worker_stderr()
    elsewhere = tmp_path / "keys.json"
    CodecKeys.generate().save(elsewhere)
    monkeypatch.setenv("ORDERTIDE_DATA_DIR", str(tmp_path / "other"))
    assert "unencrypted" in worker_stderr()
    monkeypatch.setenv("ORDERTIDE_CODEC_KEY_FILE", str(elsewhere))
    assert "unencrypted" not in worker_stderr()
