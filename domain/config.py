"""Configuration shapes for channels. Credentials live here and in activities
only: they never enter a workflow input, result, signal or memo."""

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Discriminator, Field, SecretStr, Tag

from domain.channels import Marketplace
from domain.offers.feed import FeedRules
from domain.storefronts import Storefront


class PlazaConfig(BaseModel):
    """bol's legacy Plaza Offer API v2 (XML), for sellers still on it."""

    base_url: str = "https://plazaapi.bol.com"
    public_key: str | None = None
    private_key: SecretStr | None = None
    # The environment variable holding private_key, read when settings load.
    private_key_env: str | None = None


class BolChannelConfig(BaseModel):
    marketplace: Literal[Marketplace.BOL] = Marketplace.BOL
    api_base_url: str = "https://api.bol.com"
    token_url: str = "https://login.bol.com/token"
    client_id: str | None = None
    client_secret: SecretStr | None = None
    # The environment variable holding client_secret, for sellers who keep
    # secrets out of files; it is read when settings load.
    client_secret_env: str | None = None
    # The seller account's bol retailer id: pushes naming another account
    # are refused (403). Unset, the webhook receiver refuses every push for
    # this channel, because it cannot tell this account's from another's.
    retailer_id: str | None = None
    fulfilment_method: Literal["FBR", "FBB"] = "FBR"
    poll_interval: timedelta = timedelta(seconds=30)
    # Process statuses can take hours on bol; this is how long one activity
    # attempt follows one before handing back to Temporal's retry.
    process_status_patience: timedelta = timedelta(minutes=10)
    # First look at a new process status after this long, then less and less often.
    process_status_poll: timedelta = timedelta(milliseconds=500)
    return_window: timedelta | None = None
    request_timeout: timedelta = timedelta(seconds=30)
    # Offer sync: keep this channel's offers in line with stock and prices.
    offer_sync: bool = True
    # Changes arriving within this window are sent as one update per offer.
    offer_sync_window: timedelta = timedelta(milliseconds=250)
    feed: FeedRules = Field(default_factory=FeedRules)
    # "retailer": Retailer API v10 offers; "plaza": the legacy XML upsert.
    offer_transport: Literal["retailer", "plaza"] = "retailer"
    plaza: PlazaConfig = Field(default_factory=PlazaConfig)

    @property
    def has_credentials(self) -> bool:
        return bool(self.client_id and self.client_secret and self.client_secret.get_secret_value())

    @property
    def credentials_configured(self) -> bool:
        """Any credential set: the channel is meant for the real API."""
        return bool(self.client_id or self.client_secret or self.client_secret_env)

    @property
    def has_offer_export(self) -> bool:
        return self.offer_transport == "retailer"  # Plaza has no export to compare with


class KauflandChannelConfig(BaseModel):
    """One seller account on one Kaufland storefront."""

    marketplace: Literal[Marketplace.KAUFLAND] = Marketplace.KAUFLAND
    api_base_url: str = "https://sellerapi.kaufland.com/v2"
    client_key: str | None = None
    secret_key: SecretStr | None = None
    # The environment variable holding secret_key, read when settings load.
    secret_key_env: str | None = None
    storefront: Storefront = Storefront.DE
    poll_interval: timedelta = timedelta(seconds=30)
    request_timeout: timedelta = timedelta(seconds=30)
    # Offer sync: keep this channel's units in line with stock and prices.
    offer_sync: bool = True
    offer_sync_window: timedelta = timedelta(milliseconds=250)
    feed: FeedRules = Field(default_factory=FeedRules)
    return_window: timedelta | None = None

    @property
    def currency(self) -> str:
        return self.storefront.currency

    @property
    def has_credentials(self) -> bool:
        return bool(self.client_key and self.secret_key and self.secret_key.get_secret_value())

    @property
    def credentials_configured(self) -> bool:
        return bool(self.client_key or self.secret_key or self.secret_key_env)

    @property
    def has_offer_export(self) -> bool:
        return True  # units are read back with GET /units


# Every channel's configuration, told apart by `marketplace` (bol when the
# file does not say, as before Kaufland). New marketplaces add a member here.
def _marketplace_of(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("marketplace", Marketplace.BOL))
    return str(getattr(value, "marketplace", Marketplace.BOL))


ChannelConfig = Annotated[
    Annotated[BolChannelConfig, Tag(Marketplace.BOL)] | Annotated[KauflandChannelConfig, Tag(Marketplace.KAUFLAND)],
    Discriminator(_marketplace_of),
]
