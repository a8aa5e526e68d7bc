"""`ordertide init`: a seller's channels and credentials into ordertide.toml,
each channel tried against its marketplace before anything is written."""

import asyncio
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from pydantic import SecretStr, ValidationError

from domain.channels import Marketplace
from domain.config import BolChannelConfig
from starter.console import CommandError, err, out
from starter.private_file import write_atomically
from workers.credentials import check_channels
from workers.settings import config_file, secrets_file

BOL_API = "https://api.bol.com"
BOL_TOKEN_URL = "https://login.bol.com/token"
# Channel names go into workflow ids, search attributes and TOML table names.
CHANNEL_NAME = re.compile(r"[a-z][a-z0-9_-]{0,39}")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass
class NewChannel:
    name: str
    config: BolChannelConfig


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
    config: Annotated[Path | None, typer.Option(help="default: $ORDERTIDE_CONFIG or ./ordertide.toml")] = None,
    force: Annotated[bool, typer.Option(help="replace an existing config file")] = False,
) -> None:
    """Set up channels: asks for (or takes as flags) each channel's credentials,
    checks them against the marketplace, then writes ordertide.toml."""
    path = config or config_file()
    try:
        if path.exists() and not force:
            raise CommandError(f"{path} already exists; --force replaces it")
        channels = _ask(channel, marketplace, client_id, client_secret_env, retailer_id, api_base_url, token_url)
        _check(channels)
        _write(path, channels)
    except CommandError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(1) from None
    _tell_next_steps(path, channels)


def _ask(
    channel: str | None,
    marketplace: str,
    client_id: str | None,
    client_secret_env: str | None,
    retailer_id: str | None,
    api_base_url: str,
    token_url: str,
) -> list[NewChannel]:
    if channel is not None:
        secret_env = client_secret_env
        return [_channel(channel, marketplace, client_id, secret_env, retailer_id, api_base_url, token_url)]
    # No --channel: a person at a terminal, asked for one channel after another.
    channels: list[NewChannel] = []
    while True:
        name = typer.prompt("Channel name (one seller account on one marketplace)", default="bol")
        market = typer.prompt("Marketplace", default=marketplace)
        retailer = typer.prompt("bol retailer id (for push notifications; blank to skip)", default="") or None
        channels.append(_channel(name, market, client_id, client_secret_env, retailer, api_base_url, token_url))
        if not typer.confirm("Add another channel?", default=False):
            return channels
        client_id = client_secret_env = None


def _channel(
    name: str,
    marketplace: str,
    client_id: str | None,
    client_secret_env: str | None,
    retailer_id: str | None,
    api_base_url: str,
    token_url: str,
) -> NewChannel:
    if not CHANNEL_NAME.fullmatch(name):
        raise CommandError(f"--channel: {name!r} must be lowercase letters, digits, - or _, starting with a letter")
    if marketplace != Marketplace.BOL:
        raise CommandError(f"--marketplace: {marketplace!r} is not supported yet (bol is)")
    for option, url in (("--api-base-url", api_base_url), ("--token-url", token_url)):
        if not url.startswith(("https://", "http://")):
            raise CommandError(f"{option}: {url!r} is not an http(s) URL")
    if client_secret_env is not None and not ENV_NAME.fullmatch(client_secret_env):
        raise CommandError(f"--client-secret-env: {client_secret_env!r} is not an environment variable name")
    client_id = client_id or typer.prompt(f"{name}: API client id")
    if client_secret_env is not None:
        secret = os.environ.get(client_secret_env)
        if not secret:
            raise CommandError(f"--client-secret-env: {client_secret_env} is not set, so {name} cannot be checked")
    else:
        secret = typer.prompt(f"{name}: API client secret", hide_input=True)
    try:
        config = BolChannelConfig(
            client_id=client_id,
            client_secret=SecretStr(secret),
            client_secret_env=client_secret_env,
            retailer_id=retailer_id,
            api_base_url=api_base_url,
            token_url=token_url,
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


def _write(path: Path, channels: list[NewChannel]) -> None:
    lines = [
        "# Written by `ordertide init`. Secrets are not in this file: see",
        f"# {secrets_file(path).name} (readable by its owner only) or the environment variables named here.",
    ]
    secret_lines: list[str] = []
    for channel in channels:
        c = channel.config
        lines += ["", f"[channels.{channel.name}]", f"marketplace = {_toml(c.marketplace)}"]
        lines.append(f"client_id = {_toml(c.client_id or '')}")
        if c.client_secret_env:
            lines.append(f"client_secret_env = {_toml(c.client_secret_env)}")
        elif c.client_secret is not None:
            secret_lines += [
                f"[channels.{channel.name}]",
                f"client_secret = {_toml(c.client_secret.get_secret_value())}",
            ]
        if c.retailer_id:
            lines.append(f"retailer_id = {_toml(c.retailer_id)}")
        lines += [f"api_base_url = {_toml(c.api_base_url)}", f"token_url = {_toml(c.token_url)}"]
    path.parent.mkdir(parents=True, exist_ok=True)
    secrets = secrets_file(path)
    if secret_lines:
        write_atomically(secrets, "\n".join(secret_lines) + "\n", 0o600)
    else:
        # A stale secret there would win over the environment variable.
        secrets.unlink(missing_ok=True)
    write_atomically(path, "\n".join(lines) + "\n", 0o644)


def _tell_next_steps(path: Path, channels: list[NewChannel]) -> None:
    out.print(f"wrote {path}", markup=False, highlight=False)
    if any(c.config.client_secret_env is None for c in channels):
        out.print(f"secrets in {secrets_file(path)} (mode 0600)", markup=False, highlight=False)
    for c in channels:
        if c.config.client_secret_env:
            out.print(f"set {c.config.client_secret_env} wherever ordertide runs", markup=False, highlight=False)
    if path.resolve() != config_file().resolve():
        out.print(f"point ordertide at it: export ORDERTIDE_CONFIG={path}", markup=False, highlight=False)
    out.print("next: ordertide catalog import FILE.csv, then ordertide run", markup=False, highlight=False)
    sys.stdout.flush()
