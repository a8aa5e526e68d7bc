"""`catalog import --from-channel`: a seller who already sells on a channel
starts from its offer export. Each offer becomes a product (its reference as
the SKU, its price as the list price, its stock as stock on hand) and stays
linked to the channel's offer, so offer sync updates it instead of creating
a second one."""

from activities.channels import Channels
from activities.store import Database, OfferBook
from activities.store.catalog import CatalogChanges, CatalogStore
from domain.catalog_file import CatalogLine, FieldError, parse_cells
from domain.config import BolChannelConfig
from domain.offers.model import ChannelOffer, LiveOffer, OfferState
from starter.console import CommandError
from workers.settings import load_settings


def offer_line(line: int, offer: LiveOffer) -> CatalogLine:
    """Only what the export has: a title, brand or cost price it lacks is
    left as the catalog has it (add them later with a file or `product set`).
    Without a reference the EAN stands in as the SKU."""
    cells = {"sku": offer.reference or offer.ean, "ean": offer.ean}
    if offer.condition:
        cells["condition"] = offer.condition
    if offer.price is not None:
        cells["list_price"] = str(offer.price)
    if offer.stock is not None:
        cells["on_hand"] = str(offer.stock)
    try:
        return CatalogLine(line, parse_cells(cells))
    except FieldError as exc:
        return CatalogLine(line, None, exc)


async def import_from_channel(db: Database, channel: str) -> tuple[CatalogChanges, int]:
    """Returns the catalog changes and how many offers were linked."""
    configs = load_settings().channels
    if channel not in configs:
        raise CommandError(f"unknown channel {channel!r}; configured: {', '.join(configs) or 'none'}")
    config = configs[channel]
    if not config.has_offer_export and not isinstance(config, BolChannelConfig):
        raise CommandError(f"channel {channel} is a {config.marketplace} channel, which has no offer export")
    if not config.has_offer_export:
        raise CommandError(f"channel {channel} sends offers over Plaza, which has no offer export")
    channels = Channels.from_config({channel: configs[channel]})
    try:
        live = (await channels[channel].export_offers()).offers
    finally:
        await channels.aclose()
    # bol: line 1 of the export file is its header; Kaufland: the unit's place in the listing.
    first = 2 if isinstance(config, BolChannelConfig) else 1
    lines = [offer_line(number, offer) for number, offer in enumerate(live, start=first)]
    changes = CatalogStore(db).apply(lines)
    rejected = {line for line, _ in changes.errors}
    book = OfferBook(db)
    linked = 0
    for item, offer in zip(lines, live, strict=True):
        if item.patch is None or item.line in rejected:
            continue
        book.record(
            ChannelOffer(
                channel=channel,
                sku=item.patch.sku,
                offer_id=offer.offer_id,
                price=offer.price,
                stock=offer.stock,
                delivery_code=offer.delivery_code,
                on_hold=offer.on_hold,
                state=OfferState.ACCEPTED,
            ),
            None,
        )
        linked += 1
    return changes, linked
