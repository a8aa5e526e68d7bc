"""`ordertide init`: a seller's channels and credentials into ordertide.toml,
each channel tried against its marketplace before anything is written."""

import asyncio
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from domain.channels import Marketplace
from domain.marketplace_apis import BOL_TOKEN_URL, PLAZA_API
from starter.console import CommandError, err, out
from workers.secret_file import write_whole

if TYPE_CHECKING:
    from domain.config import ChannelConfig
    from starter.init_channels import ChannelAnswers

# Channel names go into workflow ids, search attributes and TOML table names.
CHANNEL_NAME = re.compile(r"[a-z][a-z0-9_-]{0,39}")


@dataclass
class NewChannel:
    name: str
    config: "ChannelConfig"


def init(
    channel: Annotated[str | None, typer.Option(help="channel name, e.g. bol-nl (asked when left out)")] = None,
    marketplace: Annotated[str, typer.Option(help="the channel's marketplace: bol, kaufland or supplier")] = "bol",
    client_id: Annotated[str | None, typer.Option(help="bol: API client id (asked when left out)")] = None,
    client_secret_env: Annotated[
        str | None,
        typer.Option(help="bol: read the client secret from this environment variable, now and at every start"),
    ] = None,
    retailer_id: Annotated[str | None, typer.Option(help="bol: your retailer id, for push notifications")] = None,
    api_base_url: Annotated[
        str | None, typer.Option(help="the marketplace API (a sandbox for tests); a supplier portal's API URL")
    ] = None,
    token_url: Annotated[str, typer.Option(help="bol: the OAuth token endpoint")] = BOL_TOKEN_URL,
    plaza_public_key: Annotated[
        str | None, typer.Option(help="bol: send offers through the legacy Plaza API with this public key")
    ] = None,
    plaza_private_key_env: Annotated[
        str | None, typer.Option(help="bol: read the Plaza private key from this environment variable")
    ] = None,
    plaza_base_url: Annotated[str, typer.Option(help="bol: the Plaza API (a sandbox for tests)")] = PLAZA_API,
    client_key: Annotated[str | None, typer.Option(help="Kaufland: client key (asked when left out)")] = None,
    secret_key_env: Annotated[
        str | None, typer.Option(help="Kaufland: read the secret key from this environment variable")
    ] = None,
    storefront: Annotated[str | None, typer.Option(help="Kaufland: the storefront, e.g. de (the default)")] = None,
    api_key_env: Annotated[
        str | None, typer.Option(help="supplier portal: read its API key from this environment variable")
    ] = None,
    portal_name: Annotated[str | None, typer.Option(help="supplier portal: its name, as your team knows it")] = None,
    config: Annotated[Path | None, typer.Option(help="default: $ORDERTIDE_CONFIG or ./ordertide.toml")] = None,
    add: Annotated[
        bool, typer.Option("--add", help="add the channels to an existing config, keeping all it holds")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="replace an existing config file")] = False,
) -> None:
    """Set up channels: asks for (or takes as flags) each channel's credentials,
    checks them against the marketplace, then writes ordertide.toml."""
    # Imported when run: the channel models and the settings would slow every other command's start.
    from starter.init_channels import ChannelAnswers
    from workers.settings import config_file

    path = config or config_file()
    answers = ChannelAnswers(
        marketplace=marketplace,
        api_base_url=api_base_url,
        client_id=client_id,
        client_secret_env=client_secret_env,
        retailer_id=retailer_id,
        token_url=token_url,
        plaza_public_key=plaza_public_key,
        plaza_private_key_env=plaza_private_key_env,
        plaza_base_url=plaza_base_url,
        client_key=client_key,
        secret_key_env=secret_key_env,
        storefront=storefront,
        api_key_env=api_key_env,
        portal_name=portal_name,
    )
    try:
        adding = add and path.exists()
        if path.exists() and not (force or add):
            raise CommandError(f"{path} already exists; --add adds channels to it, --force replaces it")
        taken = set(_read_toml(path).get("channels", {})) if adding else set()
        if channel in taken:
            raise CommandError(f"--channel: {channel} is in {path} already; --force replaces the whole file")
        channels = [_channel(channel, answers)] if channel is not None else _ask(answers, taken)
        _check(channels)
        _write(path, channels, adding)
    except CommandError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(1) from None
    _tell_next_steps(path, channels)


def _ask(answers: "ChannelAnswers", taken: set[str]) -> list[NewChannel]:
    """No --channel: a person at a terminal, asked for one channel after another."""
    from starter.init_channels import ask_account_details, marketplace_of

    channels: list[NewChannel] = []
    while True:
        name = typer.prompt("Channel name (one seller account on one marketplace)", default="bol")
        if name in taken | {c.name for c in channels}:
            err.print(f"{name} is set up already: choose another name", markup=False, highlight=False)
            continue
        while True:
            answers.marketplace = typer.prompt("Marketplace (bol, kaufland, supplier)", default=answers.marketplace)
            try:
                marketplace_of(answers.marketplace)
                break
            except CommandError as exc:
                err.print(str(exc).removeprefix("--marketplace: "), markup=False, highlight=False)
        ask_account_details(name, answers)
        channels.append(_channel(name, answers))
        if not typer.confirm("Add another channel?", default=False):
            return channels
        answers = answers.next_channel()


def _channel(name: str, answers: "ChannelAnswers") -> NewChannel:
    from starter.init_channels import build

    if not CHANNEL_NAME.fullmatch(name):
        raise CommandError(f"--channel: {name!r} must be lowercase letters, digits, - or _, starting with a letter")
    return NewChannel(name, build(name, answers))


def _check(channels: list[NewChannel]) -> None:
    from workers.credentials import check_channels

    checks = asyncio.run(check_channels({c.name: c.config for c in channels}))
    failed = [check for check in checks if check.outcome != "accepted"]
    for check in checks:
        if check.outcome == "accepted":
            out.print(check.line, markup=False, highlight=False)
    if failed:
        for check in failed[:-1]:
            err.print(f"error: {check.line}", markup=False, highlight=False)
        raise CommandError(failed[-1].line)


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CommandError(f"{path}: cannot read it as TOML: {exc}") from None


def _write(path: Path, channels: list[NewChannel], adding: bool) -> None:
    from starter.init_channels import tables
    from workers.settings import secrets_file

    lines = [
        "# Written by `ordertide init`. Secrets are not in this file: see",
        f"# {secrets_file(path).name} (readable by its owner only) or the environment variables named here.",
    ]
    secret_lines: list[str] = []
    for channel in channels:
        config_lines, channel_secrets = tables(channel.name, channel.config)
        lines += config_lines
        secret_lines += channel_secrets
    secrets = secrets_file(path)
    config_text = "\n".join(lines) + "\n"
    secrets_text = "\n".join(secret_lines) + "\n" if secret_lines else ""
    mode = 0o644
    if adding:
        # Appended, so the seller's own settings and comments stay as they are.
        mode = path.stat().st_mode & 0o777
        config_text = path.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + "\n".join(lines[2:]).lstrip("\n") + "\n"
        if secrets.exists():
            secrets_text = secrets.read_text(encoding="utf-8").rstrip("\n") + "\n" + secrets_text
    for where, text in ((path, config_text), (secrets, secrets_text)):
        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise CommandError(f"{where}: the channels cannot be added to it: {exc}") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    if secrets_text:
        write_whole(secrets, secrets_text, 0o600)
    else:
        # A stale secret there would win over the environment variable.
        secrets.unlink(missing_ok=True)
    write_whole(path, config_text, mode)


def _tell_next_steps(path: Path, channels: list[NewChannel]) -> None:
    from starter.init_channels import secret_variables
    from workers.settings import config_file, secrets_file

    out.print(f"wrote {path}", markup=False, highlight=False)
    if secrets_file(path).exists():
        out.print(f"secrets in {secrets_file(path)} (mode 0600)", markup=False, highlight=False)
    for c in channels:
        for env in secret_variables(c.config):
            out.print(f"set {env} wherever ordertide runs", markup=False, highlight=False)
        if c.config.marketplace == Marketplace.SUPPLIER:
            out.print(
                f"channel {c.name} reads orders through the portal's API; for a file drop, a mailbox, pushes "
                "or status updates by API, edit its table (docs/supplier.md)",
                markup=False,
                highlight=False,
            )
    if path.resolve() != config_file().resolve():
        out.print(f"point ordertide at it: export ORDERTIDE_CONFIG={path}", markup=False, highlight=False)
    out.print("next: ordertide catalog import FILE.csv, then ordertide run", markup=False, highlight=False)
    sys.stdout.flush()
