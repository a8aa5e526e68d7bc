"""The channels a worker serves: one marketplace adapter per configured
channel, built from configuration (credentials never leave activities)."""

import httpx

from activities.marketplaces.base import MarketplaceAdapter
from activities.marketplaces.bol.adapter import BolAdapter
from domain.channels import Marketplace
from domain.config import BolChannelConfig


class UnknownChannel(LookupError):
    pass


class Channels:
    def __init__(self, adapters: dict[str, MarketplaceAdapter], configs: dict[str, BolChannelConfig]):
        self._adapters = adapters
        self.configs = configs

    @classmethod
    def from_config(
        cls, configs: dict[str, BolChannelConfig], transports: dict[str, httpx.AsyncBaseTransport] | None = None
    ) -> "Channels":
        """`transports` (tests) route a channel's HTTP in-process: key the
        channel name, or "<channel>:plaza" for its Plaza offer transport."""
        transports = transports or {}
        adapters: dict[str, MarketplaceAdapter] = {}
        for name, config in configs.items():
            if config.marketplace is Marketplace.BOL:
                adapters[name] = BolAdapter(
                    name, config, transport=transports.get(name), plaza_transport=transports.get(f"{name}:plaza")
                )
            else:
                raise ValueError(f"channel {name}: marketplace {config.marketplace} has no adapter yet")
        return cls(adapters, configs)

    def __getitem__(self, channel: str) -> MarketplaceAdapter:
        try:
            return self._adapters[channel]
        except KeyError:
            raise UnknownChannel(f"channel {channel!r} is not configured on this worker") from None

    def names(self) -> list[str]:
        return list(self._adapters)

    async def aclose(self) -> None:
        for adapter in self._adapters.values():
            await adapter.aclose()
