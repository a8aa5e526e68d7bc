"""`ordertide init`: a seller's channels and credentials into ordertide.toml,
each channel tried against its marketplace before anything is written."""

import asyncio
import json
import os
import re
import sys
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated

import typer
from pydantic import SecretStr, ValidationError

from domain.channels import Marketplace
from domain.config import BolChannelConfig, PlazaConfig
from starter.console import CommandError, err, out
from workers.credentials import check_channels
from workers.secret_file import write_whole
from workers.settings import config_file, secrets_file

BOL_API = "https://api.bol.com"
BOL_TOKEN_URL = "https://login.bol.com/token"
PLAZA_API = "https://plazaapi.bol.com"
# Channel names go into workflow ids, search attributes and TOML table names.
CHANNEL_NAME = re.compile(r"[a-z][a-z0-9_-]{0,39}")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass
class NewChannel:
    name: str
    config: BolChannelConfig


@dataclass
class ChannelAnswers:
    """One channel's settings as given on the command line or at the prompts."""

    marketplace: str
    client_id: str | None
    client_secret_env: str | None
    retailer_id: str | None
    api_base_url: str
    token_url: str
    plaza_public_key: str | None
    plaza_private_key_env: str | None
    plaza_base_url: str


def init(
    channel: Annotated[str | None, typer.Option(help="channel name, e.g. bol-nl (asked when left out)")] = None,
    marketplace: Annotated[str, typer.Option(help="the channel's marketplace: bol")] = "bol",
    client_id: Annotated[str | None, typer.Option(help="API client id (asked when left out)")] = None,
    client_secret_env: Annotated[
        str | None,
        typer.Option(help="read the client secret from this environment variable, now and at every start"),
    ] = None,
    retailer_id: Annotated[str | None, typer.Option(help="your bol retailer id, for push notifications")] = None,
    api_base_url: Annotated[str, typer.Option(help="the marketplace API (a sandbox for tests)")] = BOL_API,
    token_url: Annotated[str, typer.Option(help="the OAuth token endpoint")] = BOL_TOKEN_URL,
    plaza_public_key: Annotated[
        str | None, typer.Option(help="send offers through bol's legacy Plaza API with this public key")
    ] = None,
    plaza_private_key_env: Annotated[
        str | None, typer.Option(help="read the Plaza private key from this environment variable")
    ] = None,
    plaza_base_url: Annotated[str, typer.Option(help="the Plaza API (a sandbox for tests)")] = PLAZA_API,
    config: Annotated[Path | None, typer.Option(help="default: $ORDERTIDE_CONFIG or ./ordertide.toml")] = None,
    add: Annotated[
        bool, typer.Option("--add", help="add the channels to an existing config, keeping all it holds")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="replace an existing config file")] = False,
) -> None:
    """Set up channels: asks for (or takes as flags) each channel's credentials,
    checks them against the marketplace, then writes ordertide.toml."""
    path = config or config_file()
    answers = ChannelAnswers(
        marketplace,
        client_id,
        client_secret_env,
        retailer_id,
        api_base_url,
        token_url,
        plaza_public_key,
        plaza_private_key_env,
        plaza_base_url,
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


def _ask(answers: ChannelAnswers, taken: set[str]) -> list[NewChannel]:
    """No --channel: a person at a terminal, asked for one channel after another."""
    channels: list[NewChannel] = []
    while True:
        name = typer.prompt("Channel name (one seller account on one marketplace)", default="bol")
        if name in taken | {c.name for c in channels}:
            err.print(f"{name} is set up already: choose another name", markup=False, highlight=False)
            continue
        answers.marketplace = typer.prompt("Marketplace", default=answers.marketplace)
        answers.retailer_id = typer.prompt(
            "bol retailer id (for push notifications; blank to skip)", default=answers.retailer_id or ""
        )
        if answers.plaza_public_key is None and typer.confirm("Send offers through Plaza (legacy XML)?", default=False):
            answers.plaza_public_key = typer.prompt(f"{name}: Plaza public key")
        channels.append(_channel(name, answers))
        if not typer.confirm("Add another channel?", default=False):
            return channels
        answers = replace(
            answers,
            client_id=None,
            client_secret_env=None,
            retailer_id=None,
            plaza_public_key=None,
            plaza_private_key_env=None,
        )


def _secret(name: str, what: str, env: str | None, option: str) -> str:
    if env is None:
        return str(typer.prompt(f"{name}: {what}", hide_input=True))
    if not ENV_NAME.fullmatch(env):
        raise CommandError(f"{option}: {env!r} is not an environment variable name")
    value = os.environ.get(env)
    if not value:
        raise CommandError(f"{option}: {env} is not set, so {name} cannot be checked")
    return value


def _channel(name: str, answers: ChannelAnswers) -> NewChannel:
    if not CHANNEL_NAME.fullmatch(name):
        raise CommandError(f"--channel: {name!r} must be lowercase letters, digits, - or _, starting with a letter")
    if answers.marketplace != Marketplace.BOL:
        raise CommandError(f"--marketplace: {answers.marketplace!r} is not supported yet (bol is)")
    for option, url in (
        ("--api-base-url", answers.api_base_url),
        ("--token-url", answers.token_url),
        ("--plaza-base-url", answers.plaza_base_url),
    ):
        if not url.startswith(("https://", "http://")):
            raise CommandError(f"{option}: {url!r} is not an http(s) URL")
    client_id = answers.client_id or typer.prompt(f"{name}: API client id")
    secret = _secret(name, "API client secret", answers.client_secret_env, "--client-secret-env")
    plaza = PlazaConfig(base_url=answers.plaza_base_url)
    if answers.plaza_public_key:
        private_key = _secret(name, "Plaza private key", answers.plaza_private_key_env, "--plaza-private-key-env")
        plaza = PlazaConfig(
            base_url=answers.plaza_base_url,
            public_key=answers.plaza_public_key,
            private_key=SecretStr(private_key),
            private_key_env=answers.plaza_private_key_env,
        )
    try:
        config = BolChannelConfig(
            client_id=client_id,
            client_secret=SecretStr(secret),
            client_secret_env=answers.client_secret_env,
            retailer_id=answers.retailer_id or None,
            api_base_url=answers.api_base_url,
            token_url=answers.token_url,
            offer_transport="plaza" if answers.plaza_public_key else "retailer",
            plaza=plaza,
        )
    except ValidationError as exc:
        problem = exc.errors()[0]
        raise CommandError(f"channel {name}: {'.'.join(map(str, problem['loc']))}: {problem['msg']}") from None
    return NewChannel(name, config)


def _check(channels: list[NewChannel]) -> None:
    checks = asyncio.run(check_channels({c.name: c.config for c in channels}))
    failed = [check for check in checks if check.outcome != "accepted"]
    for check in checks:
        if check.outcome == "accepted":
            out.print(check.line, markup=False, highlight=False)
    if failed:
        for check in failed[:-1]:
            err.print(f"error: {check.line}", markup=False, highlight=False)
        raise CommandError(failed[-1].line)


def _toml(value: str) -> str:
    return json.dumps(value)  # a JSON string is a TOML basic string


def _read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CommandError(f"{path}: cannot read it as TOML: {exc}") from None


def _write(path: Path, channels: list[NewChannel], adding: bool) -> None:
    lines = [
        "# Written by `ordertide init`. Secrets are not in this file: see",
        f"# {secrets_file(path).name} (readable by its owner only) or the environment variables named here.",
    ]
    secret_lines: list[str] = []
    for channel in channels:
        c = channel.config
        table = f"[channels.{channel.name}]"
        lines += ["", table, f"marketplace = {_toml(c.marketplace)}", f"client_id = {_toml(c.client_id or '')}"]
        if c.client_secret_env:
            lines.append(f"client_secret_env = {_toml(c.client_secret_env)}")
        elif c.client_secret is not None:
            secret_lines += [table, f"client_secret = {_toml(c.client_secret.get_secret_value())}"]
        if c.retailer_id:
            lines.append(f"retailer_id = {_toml(c.retailer_id)}")
        lines += [f"api_base_url = {_toml(c.api_base_url)}", f"token_url = {_toml(c.token_url)}"]
        if c.offer_transport == "plaza":
            plaza = f"[channels.{channel.name}.plaza]"
            lines += [f"offer_transport = {_toml(c.offer_transport)}", "", plaza]
            lines += [f"base_url = {_toml(c.plaza.base_url)}", f"public_key = {_toml(c.plaza.public_key or '')}"]
            if c.plaza.private_key_env:
                lines.append(f"private_key_env = {_toml(c.plaza.private_key_env)}")
            elif c.plaza.private_key is not None:
                secret_lines += [plaza, f"private_key = {_toml(c.plaza.private_key.get_secret_value())}"]
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
    out.print(f"wrote {path}", markup=False, highlight=False)
    if secrets_file(path).exists():
        out.print(f"secrets in {secrets_file(path)} (mode 0600)", markup=False, highlight=False)
    for c in channels:
        for env in (c.config.client_secret_env, c.config.plaza.private_key_env):
            if env:
                out.print(f"set {env} wherever ordertide runs", markup=False, highlight=False)
    if path.resolve() != config_file().resolve():
        out.print(f"point ordertide at it: export ORDERTIDE_CONFIG={path}", markup=False, highlight=False)
    out.print("next: ordertide catalog import FILE.csv, then ordertide run", markup=False, highlight=False)
    sys.stdout.flush()
