"""What `ordertide init` knows of each marketplace: the questions it asks,
the channel configuration the answers make, and the TOML tables it writes
(settings for ordertide.toml, secrets for ordertide.secrets.toml)."""

import json
import os
import re
from dataclasses import dataclass

import typer
from pydantic import SecretStr, ValidationError

from domain.channels import Marketplace
from domain.config import (
    BolChannelConfig,
    ChannelConfig,
    KauflandChannelConfig,
    PlazaConfig,
    SupplierApiSettings,
    SupplierChannelConfig,
)
from domain.marketplace_apis import BOL_API, BOL_TOKEN_URL, KAUFLAND_API, PLAZA_API
from domain.storefronts import Storefront
from starter.console import CommandError

DEFAULT_API = {Marketplace.BOL: BOL_API, Marketplace.KAUFLAND: KAUFLAND_API}
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass
class ChannelAnswers:
    """One channel's settings as given on the command line or at the prompts."""

    marketplace: str = Marketplace.BOL
    # None: the marketplace's own API (a supplier portal has none to assume).
    api_base_url: str | None = None
    # bol
    client_id: str | None = None
    client_secret_env: str | None = None
    retailer_id: str | None = None
    token_url: str = BOL_TOKEN_URL
    plaza_public_key: str | None = None
    plaza_private_key_env: str | None = None
    plaza_base_url: str = PLAZA_API
    # Kaufland
    client_key: str | None = None
    secret_key_env: str | None = None
    storefront: str | None = None
    # a supplier portal
    api_key_env: str | None = None
    portal_name: str | None = None
    # Asked at the prompts, for this channel only (--api-base-url holds for all).
    portal_api_url: str | None = None

    def next_channel(self) -> "ChannelAnswers":
        """The answers that belong to one seller account are asked again;
        where the APIs are (a sandbox, in tests) stays."""
        return ChannelAnswers(
            marketplace=self.marketplace,
            api_base_url=self.api_base_url,
            token_url=self.token_url,
            plaza_base_url=self.plaza_base_url,
        )


# Each flag that only one marketplace takes: given for another, it is a mistake worth one line.
OWN_FLAGS: dict[str, tuple[str, Marketplace]] = {
    "client_id": ("--client-id", Marketplace.BOL),
    "client_secret_env": ("--client-secret-env", Marketplace.BOL),
    "retailer_id": ("--retailer-id", Marketplace.BOL),
    "plaza_public_key": ("--plaza-public-key", Marketplace.BOL),
    "plaza_private_key_env": ("--plaza-private-key-env", Marketplace.BOL),
    "client_key": ("--client-key", Marketplace.KAUFLAND),
    "secret_key_env": ("--secret-key-env", Marketplace.KAUFLAND),
    "storefront": ("--storefront", Marketplace.KAUFLAND),
    "api_key_env": ("--api-key-env", Marketplace.SUPPLIER),
    "portal_name": ("--portal-name", Marketplace.SUPPLIER),
}


def marketplace_of(text: str) -> Marketplace:
    try:
        return Marketplace(text.strip().lower())
    except ValueError:
        raise CommandError(f"--marketplace: {text!r} is not one of {', '.join(Marketplace)}") from None


def check_flags(answers: ChannelAnswers) -> Marketplace:
    marketplace = marketplace_of(answers.marketplace)
    for name, (flag, owner) in OWN_FLAGS.items():
        if getattr(answers, name) and owner != marketplace:
            raise CommandError(f"{flag}: goes with --marketplace {owner}, not {marketplace}")
    return marketplace


def ask_account_details(name: str, answers: ChannelAnswers) -> None:
    """At the prompts, what a marketplace needs besides its credentials."""
    marketplace = marketplace_of(answers.marketplace)
    if marketplace is Marketplace.BOL:
        answers.retailer_id = typer.prompt(
            "bol retailer id (for push notifications; blank to skip)", default=answers.retailer_id or ""
        )
        if answers.plaza_public_key is None and typer.confirm("Send offers through Plaza (legacy XML)?", default=False):
            answers.plaza_public_key = typer.prompt(f"{name}: Plaza public key")
    elif marketplace is Marketplace.KAUFLAND:
        choices = ", ".join(Storefront)
        answers.storefront = typer.prompt(f"Kaufland storefront ({choices})", default=answers.storefront or "de")
    else:
        if answers.api_base_url is None:
            answers.portal_api_url = typer.prompt(f"{name}: the portal's supplier API URL")
        answers.portal_name = typer.prompt(
            "The portal's name, as your team knows it", default=answers.portal_name or ""
        )


def secret(name: str, what: str, env: str | None, option: str) -> str:
    """Asked (hidden), or read from the environment variable the seller named."""
    if env is None:
        return str(typer.prompt(f"{name}: {what}", hide_input=True))
    if not ENV_NAME.fullmatch(env):
        raise CommandError(f"{option}: {env!r} is not an environment variable name")
    value = os.environ.get(env)
    if not value:
        raise CommandError(f"{option}: {env} is not set, so {name} cannot be checked")
    return value


def _http_url(option: str, url: str) -> None:
    if not url.startswith(("https://", "http://")):
        raise CommandError(f"{option}: {url!r} is not an http(s) URL")


def build(name: str, answers: ChannelAnswers) -> ChannelConfig:
    """The channel's configuration; credentials not given are asked for."""
    marketplace = check_flags(answers)
    api = answers.api_base_url or answers.portal_api_url or DEFAULT_API.get(marketplace)
    if api is None:
        raise CommandError("--api-base-url: a supplier portal channel needs its API's URL")
    _http_url("--api-base-url", api)
    try:
        if marketplace is Marketplace.BOL:
            return _bol(name, answers, api)
        if marketplace is Marketplace.KAUFLAND:
            return _kaufland(name, answers, api)
        return _supplier(name, answers, api)
    except ValidationError as exc:
        problem = exc.errors()[0]
        raise CommandError(f"channel {name}: {'.'.join(map(str, problem['loc']))}: {problem['msg']}") from None


def _bol(name: str, answers: ChannelAnswers, api: str) -> BolChannelConfig:
    _http_url("--token-url", answers.token_url)
    _http_url("--plaza-base-url", answers.plaza_base_url)
    client_id = answers.client_id or typer.prompt(f"{name}: API client id")
    client_secret = secret(name, "API client secret", answers.client_secret_env, "--client-secret-env")
    plaza = PlazaConfig(base_url=answers.plaza_base_url)
    if answers.plaza_public_key:
        private_key = secret(name, "Plaza private key", answers.plaza_private_key_env, "--plaza-private-key-env")
        plaza = PlazaConfig(
            base_url=answers.plaza_base_url,
            public_key=answers.plaza_public_key,
            private_key=SecretStr(private_key),
            private_key_env=answers.plaza_private_key_env,
        )
    return BolChannelConfig(
        client_id=client_id,
        client_secret=SecretStr(client_secret),
        client_secret_env=answers.client_secret_env,
        retailer_id=answers.retailer_id or None,
        api_base_url=api,
        token_url=answers.token_url,
        offer_transport="plaza" if answers.plaza_public_key else "retailer",
        plaza=plaza,
    )


def _kaufland(name: str, answers: ChannelAnswers, api: str) -> KauflandChannelConfig:
    storefront = (answers.storefront or "de").strip().lower()
    if storefront not in set(Storefront):
        raise CommandError(f"--storefront: {storefront!r} is not one of {', '.join(Storefront)}")
    client_key = answers.client_key or typer.prompt(f"{name}: Kaufland client key")
    secret_key = secret(name, "Kaufland secret key", answers.secret_key_env, "--secret-key-env")
    return KauflandChannelConfig(
        client_key=client_key,
        secret_key=SecretStr(secret_key),
        secret_key_env=answers.secret_key_env,
        storefront=Storefront(storefront),
        api_base_url=api,
    )


def _supplier(name: str, answers: ChannelAnswers, api: str) -> SupplierChannelConfig:
    # Orders by API poll: the one intake init can check. A file drop, a
    # mailbox or pushes are set in the channel's table (docs/supplier.md).
    api_key = secret(name, "the portal's API key", answers.api_key_env, "--api-key-env")
    settings = SupplierApiSettings(base_url=api, api_key=SecretStr(api_key), api_key_env=answers.api_key_env)
    named = {"portal_name": answers.portal_name} if answers.portal_name else {}
    return SupplierChannelConfig.model_validate({"intake": "api", "api": settings, **named})


def _toml(value: str) -> str:
    return json.dumps(value)  # a JSON string is a TOML basic string


def tables(name: str, config: ChannelConfig) -> tuple[list[str], list[str]]:
    """The channel's lines for ordertide.toml, and those for the secrets file."""
    table = f"[channels.{name}]"
    lines = ["", table, f"marketplace = {_toml(config.marketplace)}"]
    secrets: list[str] = []
    if isinstance(config, BolChannelConfig):
        lines.append(f"client_id = {_toml(config.client_id or '')}")
        if config.client_secret_env:
            lines.append(f"client_secret_env = {_toml(config.client_secret_env)}")
        elif config.client_secret is not None:
            secrets += [table, f"client_secret = {_toml(config.client_secret.get_secret_value())}"]
        if config.retailer_id:
            lines.append(f"retailer_id = {_toml(config.retailer_id)}")
        lines += [f"api_base_url = {_toml(config.api_base_url)}", f"token_url = {_toml(config.token_url)}"]
        if config.offer_transport == "plaza":
            plaza = f"[channels.{name}.plaza]"
            lines += [f"offer_transport = {_toml(config.offer_transport)}", "", plaza]
            lines += [
                f"base_url = {_toml(config.plaza.base_url)}",
                f"public_key = {_toml(config.plaza.public_key or '')}",
            ]
            if config.plaza.private_key_env:
                lines.append(f"private_key_env = {_toml(config.plaza.private_key_env)}")
            elif config.plaza.private_key is not None:
                secrets += [plaza, f"private_key = {_toml(config.plaza.private_key.get_secret_value())}"]
    elif isinstance(config, KauflandChannelConfig):
        lines.append(f"client_key = {_toml(config.client_key or '')}")
        if config.secret_key_env:
            lines.append(f"secret_key_env = {_toml(config.secret_key_env)}")
        elif config.secret_key is not None:
            secrets += [table, f"secret_key = {_toml(config.secret_key.get_secret_value())}"]
        lines += [f"storefront = {_toml(config.storefront)}", f"api_base_url = {_toml(config.api_base_url)}"]
    else:
        lines.append(f"intake = {_toml(config.intake)}")
        if "portal_name" in config.model_fields_set:
            lines.append(f"portal_name = {_toml(config.portal_name)}")
        api = f"[channels.{name}.api]"
        lines += ["", api, f"base_url = {_toml(config.api.base_url or '')}"]
        if config.api.api_key_env:
            lines.append(f"api_key_env = {_toml(config.api.api_key_env)}")
        elif config.api.api_key is not None:
            secrets += [api, f"api_key = {_toml(config.api.api_key.get_secret_value())}"]
    return lines, secrets


def secret_variables(config: ChannelConfig) -> list[str]:
    """The environment variables the channel's secrets are read from at every start."""
    if isinstance(config, BolChannelConfig):
        names = [config.client_secret_env, config.plaza.private_key_env]
    elif isinstance(config, KauflandChannelConfig):
        names = [config.secret_key_env]
    else:
        names = [config.api.api_key_env]
    return [name for name in names if name]
