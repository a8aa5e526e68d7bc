"""Each channel's credentials tried against its marketplace before anything
runs on them: a channel the marketplace refuses is left out, with one line
saying why, and the others go ahead."""

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import httpx

from activities.channels import Channels
from domain.config import BolChannelConfig, ChannelConfig, KauflandChannelConfig, SupplierChannelConfig
from domain.errors import BusinessError, MarketplaceUnavailable, RateLimited
from workers.settings import Settings


@dataclass(frozen=True)
class CredentialCheck:
    channel: str
    # "accepted"; "refused": the marketplace said no, or nothing to ask
    # with; "unverified": the marketplace could not be asked right now.
    outcome: Literal["accepted", "refused", "unverified"]
    detail: str = ""

    @property
    def line(self) -> str:
        if self.outcome == "accepted":
            return f"channel {self.channel}: credentials accepted"
        return f"channel {self.channel}: {self.detail}"


def _missing_secret(config: ChannelConfig) -> str | None:
    if isinstance(config, KauflandChannelConfig):
        return _missing_kaufland_key(config)
    if isinstance(config, SupplierChannelConfig):
        return _missing_portal_secret(config)
    if not config.client_id:
        return "no client_id configured"
    if config.has_credentials:
        return None
    if config.client_secret_env:
        return f"no client secret: environment variable {config.client_secret_env} is not set"
    return "no client_secret configured"


def _missing_kaufland_key(config: KauflandChannelConfig) -> str | None:
    if not config.client_key:
        return "no client_key configured"
    if config.has_credentials:
        return None
    if config.secret_key_env:
        return f"no secret key: environment variable {config.secret_key_env} is not set"
    return "no secret_key configured"


def _missing_portal_secret(config: SupplierChannelConfig) -> str | None:
    """Each login the channel's intake uses (settings name a variable that is not set, say)."""
    if config.api.base_url and not config.has_credentials:
        if config.api.api_key_env:
            return f"no API key: environment variable {config.api.api_key_env} is not set"
        return "no api.api_key configured"
    sftp = config.file.sftp if config.intake == "file" else None
    if sftp is not None and sftp.password is None and sftp.password_env:
        return f"no SFTP password: environment variable {sftp.password_env} is not set"
    mailbox = config.email if config.intake == "email" else None
    if mailbox is not None and mailbox.password is None and mailbox.password_env:
        return f"no mailbox password: environment variable {mailbox.password_env} is not set"
    return None


def _missing_plaza_key(config: ChannelConfig) -> str | None:
    if not isinstance(config, BolChannelConfig):
        return None
    plaza = config.plaza
    if config.offer_transport == "plaza" and plaza.private_key is None and plaza.private_key_env:
        return f"no Plaza private key: environment variable {plaza.private_key_env} is not set"
    return None


async def check_channel(
    channel: str, config: ChannelConfig, transports: dict[str, httpx.AsyncBaseTransport] | None = None
) -> CredentialCheck:
    """`transports` (tests) as Channels.from_config takes them."""
    missing = _missing_secret(config) or _missing_plaza_key(config)
    if missing:
        return CredentialCheck(channel, "refused", missing)
    try:
        channels = Channels.from_config({channel: config}, transports)
    except ValueError as exc:  # a setting the adapter cannot start without
        return CredentialCheck(channel, "refused", str(exc))
    try:
        await channels[channel].check_credentials()
    except BusinessError as exc:
        return CredentialCheck(channel, "refused", str(exc))
    except ValueError as exc:  # an answer that is not the marketplace's (a wrong URL, say)
        return CredentialCheck(channel, "refused", f"unexpected answer from {config.marketplace}: {exc}")
    except (MarketplaceUnavailable, RateLimited) as exc:
        return CredentialCheck(
            channel, "unverified", f"credentials not checked, {config.marketplace} unreachable: {exc}"
        )
    finally:
        await channels.aclose()
    return CredentialCheck(channel, "accepted")


async def check_channels(
    configs: Mapping[str, ChannelConfig], transports: dict[str, httpx.AsyncBaseTransport] | None = None
) -> list[CredentialCheck]:
    return list(await asyncio.gather(*(check_channel(name, c, transports) for name, c in configs.items())))


def without_refused(settings: Settings, checks: list[CredentialCheck]) -> Settings:
    """The settings with only the channels allowed to start. A marketplace
    that cannot be asked does not stop its channel: its retries cover an
    outage, while a refused secret would only fail every order."""
    refused = {check.channel for check in checks if check.outcome == "refused"}
    kept = {name: config for name, config in settings.channels.items() if name not in refused}
    return settings.model_copy(update={"channels": kept})
