"""The channels a worker serves: one marketplace adapter per configured
channel, built from configuration (credentials never leave activities)."""

import httpx

from activities.marketplaces.base import MarketplaceAdapter
from activities.marketplaces.bol.adapter import BolAdapter
from activities.marketplaces.kaufland.adapter import KauflandAdapter
from domain.config import BolChannelConfig, ChannelConfig


class UnknownChannel(LookupError):
    pass


class Channels:
    def __init__(self, adapters: dict[str, MarketplaceAdapter], configs: dict[str, ChannelConfig]):
        self._adapters = adapters
        self.configs = configs

    @classmethod
    def from_config(
        cls, configs: dict[str, ChannelConfig], transports: dict[str, httpx.AsyncBaseTransport] | None = None
    ) -> "Channels":
        """`transports` (tests) route a channel's HTTP in-process: key the
        channel name, or "<channel>:plaza" for its Plaza offer transport."""
        transports = transports or {}
        adapters: dict[str, MarketplaceAdapter] = {}
        for name, config in configs.items():
            adapters[name] = _adapter(name, config, transports)
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


def _adapter(name: str, config: ChannelConfig, transports: dict[str, httpx.AsyncBaseTransport]) -> MarketplaceAdapter:
    """The marketplace's adapter for this channel: the one place that knows
    which class speaks which marketplace."""
    if isinstance(config, BolChannelConfig):
        return BolAdapter(name, config, transport=transports.get(name), plaza_transport=transports.get(f"{name}:plaza"))
    return KauflandAdapter(name, config, transport=transports.get(name))
