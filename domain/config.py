"""Configuration shapes for channels. Credentials live here and in activities
only: they never enter a workflow input, result, signal or memo."""

from datetime import timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Discriminator, Field, SecretStr, Tag, model_validator

from domain.channels import Marketplace
from domain.labels import LabelRules, LabelSource, PackageMeasurements
from domain.marketplace_apis import BOL_API, BOL_TOKEN_URL, KAUFLAND_API, PLAZA_API
from domain.offers.feed import DeliveryTier, FeedRules, PriceRules
from domain.portal_drops import FileDropSettings, MailboxSettings
from domain.storefronts import Storefront


class PlazaConfig(BaseModel):
    """bol's legacy Plaza Offer API v2 (XML), for sellers still on it."""

    base_url: str = PLAZA_API
    public_key: str | None = None
    private_key: SecretStr | None = None
    # The environment variable holding private_key, read when settings load.
    private_key_env: str | None = None


class BolChannelConfig(BaseModel):
    marketplace: Literal[Marketplace.BOL] = Marketplace.BOL
    api_base_url: str = BOL_API
    token_url: str = BOL_TOKEN_URL
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
    # At the end of an order's return window, ask bol for the carrier's
    # delivery event and keep the order open if the parcel arrived later than
    # its transit time predicted. Off by default: it costs every shipped order
    # one more billable activity, and a return after close reopens the order anyway.
    follow_delivery_events: bool = False
    request_timeout: timedelta = timedelta(seconds=30)
    # Offer sync: keep this channel's offers in line with stock and prices.
    offer_sync: bool = True
    # Changes arriving within this window are sent as one update per offer.
    offer_sync_window: timedelta = timedelta(milliseconds=250)
    # A round then listens this long for more changes, taking them as they
    # come (activities/offer_rounds.py): a stream of sales costs no signal
    # and no activity per sale. 0: every change is signalled. At most 45 s:
    # a listening round sends no heartbeat, and its timeout is a minute.
    offer_sync_listen: timedelta = Field(default=timedelta(seconds=30), ge=timedelta(0), le=timedelta(seconds=45))
    feed: FeedRules = Field(default_factory=FeedRules)
    # "retailer": Retailer API v10 offers; "plaza": the legacy XML upsert.
    offer_transport: Literal["retailer", "plaza"] = "retailer"
    plaza: PlazaConfig = Field(default_factory=PlazaConfig)
    # "marketplace": ship with bol's labels ("Verzenden via bol"), bought in
    # the ship step by `label_rules`, unless ops give their own tracking.
    labels: LabelSource = LabelSource.OWN
    label_rules: LabelRules = Field(default_factory=LabelRules)

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


def _kaufland_feed() -> FeedRules:
    # Kaufland's delivery promise is a handling time: the codes are working
    # days; no stock cap; prices up to Kaufland's maximum.
    return FeedRules(
        stock_cap=None,
        price=PriceRules(maximum=Decimal("1000000.00")),
        delivery_tiers=[DeliveryTier(min_stock=1, delivery_code="1")],
        out_of_stock_delivery_code="3",
    )


class KauflandChannelConfig(BaseModel):
    """One seller account on one Kaufland storefront."""

    marketplace: Literal[Marketplace.KAUFLAND] = Marketplace.KAUFLAND
    api_base_url: str = KAUFLAND_API
    client_key: str | None = None
    secret_key: SecretStr | None = None
    # The environment variable holding secret_key, read when settings load.
    secret_key_env: str | None = None
    storefront: Storefront = Storefront.DE
    poll_interval: timedelta = timedelta(seconds=30)
    request_timeout: timedelta = timedelta(seconds=30)
    # Kaufland allows 111 per second per seller account, across endpoints and
    # storefronts; channels sharing a client_key share this budget.
    requests_per_second: int = Field(default=100, ge=1, le=111)
    # Offer sync: keep this channel's units in line with stock and prices.
    offer_sync: bool = True
    offer_sync_window: timedelta = timedelta(milliseconds=250)
    offer_sync_listen: timedelta = Field(default=timedelta(seconds=30), ge=timedelta(0), le=timedelta(seconds=45))
    feed: FeedRules = Field(default_factory=_kaufland_feed)
    return_window: timedelta | None = None
    # Kaufland does not sign its push notifications: the receiver takes only
    # those sent to a callback URL that holds this secret (docs/webhooks.md).
    # No token: pushes are refused and polling alone finds orders.
    push_token: SecretStr | None = Field(default=None, min_length=32)
    # The environment variable holding push_token, read when settings load.
    push_token_env: str | None = None
    # "marketplace": ship with Kaufland Shipment Solutions labels (GLS, where
    # the account has it), bought in the ship step for `label_package`.
    labels: LabelSource = LabelSource.OWN
    label_rules: LabelRules = Field(default_factory=LabelRules)
    label_package: PackageMeasurements = Field(default_factory=PackageMeasurements)
    # A sync round of at least this many offer changes goes as one CSV import
    # file (Kaufland downloads it from the worker) instead of unit by unit.
    import_file_threshold: int = Field(default=150, ge=1)
    # Where the worker serves import files, and the URL Kaufland is told
    # (it must reach it: behind a proxy or tunnel, set the public address).
    import_files_host: str = "127.0.0.1"
    import_files_port: int = Field(default=0, ge=0, le=65535)
    import_files_public_url: str | None = None
    # How often an import file's status is read while Kaufland processes it.
    import_file_poll: timedelta = timedelta(seconds=2)

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


SupplierIntakeMode = Literal["api", "webhook", "file", "email"]


class SupplierApiSettings(BaseModel):
    """The portal's supplier API: orders by date-time range, and, where the
    portal has them, status updates and a stock feed."""

    base_url: str | None = None
    api_key: SecretStr | None = None
    # The environment variable holding api_key, read when settings load.
    api_key_env: str | None = None
    page_size: int = Field(default=50, ge=1, le=500)
    # Each poll reads from this long before the last cursor: an order the
    # portal files late (its clock, its own queue) is still in the next window.
    overlap: timedelta = timedelta(minutes=5)
    # The first poll, and each sweep, reads this far back.
    lookback: timedelta = timedelta(days=7)


class SupplierWebhookSettings(BaseModel):
    """Pushes signed with HMAC-SHA256 over `{timestamp}.{body}` (docs/webhooks.md)."""

    secret: SecretStr | None = None
    secret_env: str | None = None
    # A push whose timestamp is further from now than this is refused (401):
    # a captured push cannot be replayed later.
    replay_window: timedelta = timedelta(minutes=5)


class SupplierChannelConfig(BaseModel):
    """A dropship supplier portal (seeds 001): one intake mode per channel,
    and the webhook on top of any of them."""

    marketplace: Literal[Marketplace.SUPPLIER] = Marketplace.SUPPLIER
    intake: SupplierIntakeMode = "api"
    # Also take the portal's pushes, whatever the intake mode.
    webhook: bool = False
    # "api": the portal's API takes status updates (cancelled, shipped) with a
    # note; "manual": ops set them by hand in the portal, and the order waits
    # for `ordertide order confirm ID --step portal-cancel`.
    status_updates: Literal["api", "manual"] = "manual"
    # The portal takes a stock feed (stock and price per SKU) through its API.
    stock_feed: bool = False
    # The portal's name, as ops know it (instructions, notes).
    portal_name: str = "the supplier portal"
    portal_url: str | None = None
    api: SupplierApiSettings = Field(default_factory=SupplierApiSettings)
    webhooks: SupplierWebhookSettings = Field(default_factory=SupplierWebhookSettings)
    # intake "file": one CSV file per order on an SFTP location or a local folder.
    file: FileDropSettings = Field(default_factory=FileDropSettings)
    # intake "email": one order mail per order in an IMAP mailbox.
    email: MailboxSettings | None = None
    poll_interval: timedelta = timedelta(seconds=30)
    return_window: timedelta | None = None
    request_timeout: timedelta = timedelta(seconds=30)
    # Stock and price per SKU through the same offer sync as every channel;
    # only a portal that takes a stock feed can get one.
    offer_sync: bool = False
    offer_sync_window: timedelta = timedelta(milliseconds=250)
    offer_sync_listen: timedelta = Field(default=timedelta(seconds=30), ge=timedelta(0), le=timedelta(seconds=45))
    feed: FeedRules = Field(default_factory=FeedRules)

    @model_validator(mode="after")
    def _feed_needs_a_portal_that_takes_it(self) -> "SupplierChannelConfig":
        if self.offer_sync and not self.stock_feed:
            raise ValueError("offer_sync: needs stock_feed = true (this portal takes no stock feed)")
        if self.stock_feed and not self.api.base_url:
            raise ValueError("stock_feed: needs api.base_url (the stock feed goes through the portal's API)")
        return self

    @property
    def takes_pushes(self) -> bool:
        return self.intake == "webhook" or self.webhook

    @property
    def reads_api(self) -> bool:
        """Orders are read through the portal's API (polled, or fetched after a push naming only the number)."""
        return self.intake == "api" or bool(self.api.base_url)

    @property
    def has_credentials(self) -> bool:
        return bool(self.api.api_key and self.api.api_key.get_secret_value())

    @property
    def credentials_configured(self) -> bool:
        return bool(self.api.api_key or self.api.api_key_env)

    @property
    def has_offer_export(self) -> bool:
        return False  # a portal's stock feed is write-only


# Every channel's configuration, told apart by `marketplace` (bol when the
# file does not say, as before Kaufland). New marketplaces add a member here.
def _marketplace_of(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("marketplace", Marketplace.BOL))
    return str(getattr(value, "marketplace", Marketplace.BOL))


ChannelConfig = Annotated[
    Annotated[BolChannelConfig, Tag(Marketplace.BOL)]
    | Annotated[KauflandChannelConfig, Tag(Marketplace.KAUFLAND)]
    | Annotated[SupplierChannelConfig, Tag(Marketplace.SUPPLIER)],
    Discriminator(_marketplace_of),
]


def follows_delivery_events(config: ChannelConfig) -> bool:
    """Whether the channel's orders ask for the carrier's delivery event at
    the end of their return window (only bol passes one on)."""
    return isinstance(config, BolChannelConfig) and config.follow_delivery_events
