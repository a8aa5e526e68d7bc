"""Configuration shapes for channels. Credentials live here and in activities
only: they never enter a workflow input, result, signal or memo."""

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, Field, SecretStr

from domain.channels import Marketplace
from domain.offers.feed import FeedRules


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
    # The shortest wait before a look at a process status. The first look
    # comes after the channel's typical process time (learned), then less
    # and less often while it stays PENDING.
    process_status_poll: timedelta = timedelta(milliseconds=100)
    # The seller subscribed this account to bol's PROCESS_STATUS pushes, sent
    # to this engine's webhook receiver (docs/webhooks.md): a push makes the
    # worker look the status up at once, and polling becomes the safety net.
    process_status_pushes: bool = False
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
