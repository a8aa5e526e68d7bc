"""Channel offers: what each channel last accepted, per SKU."""

from collections.abc import Iterable

from sqlmodel import col, select

from activities.store.engine import Database
from activities.store.tables import ChannelOfferRow, utcnow
from domain.offers.model import ChannelOffer, DesiredOffer, OfferState


class OfferBook:
    def __init__(self, db: Database):
        self.session = db.session

    def offers(self, channel: str, skus: Iterable[str] | None = None) -> dict[str, ChannelOffer]:
        with self.session() as s:
            query = select(ChannelOfferRow).where(ChannelOfferRow.channel == channel)
            if skus is not None:
                query = query.where(col(ChannelOfferRow.sku).in_(list(skus)))
            return {row.sku: _to_offer(row) for row in s.exec(query)}

    def last_desired(self, channel: str, skus: Iterable[str]) -> dict[str, DesiredOffer]:
        with self.session() as s:
            rows = s.exec(
                select(ChannelOfferRow).where(
                    ChannelOfferRow.channel == channel, col(ChannelOfferRow.sku).in_(list(skus))
                )
            )
            return {row.sku: DesiredOffer.model_validate(row.desired) for row in rows if row.desired}

    def record(self, offer: ChannelOffer, desired: DesiredOffer | None) -> None:
        with self.session() as s, s.begin():
            row = s.get(ChannelOfferRow, (offer.channel, offer.sku)) or ChannelOfferRow(
                channel=offer.channel, sku=offer.sku
            )
            row.offer_id = offer.offer_id
            row.price = offer.price
            row.stock = offer.stock
            row.delivery_code = offer.delivery_code
            row.on_hold = offer.on_hold
            row.state = offer.state.value
            row.rejection_reasons = list(offer.rejection_reasons)
            row.not_publishable_reasons = list(offer.not_publishable_reasons)
            row.desired = desired.model_dump(mode="json") if desired is not None else row.desired
            row.updated_at = utcnow()
            s.add(row)


def _to_offer(row: ChannelOfferRow) -> ChannelOffer:
    return ChannelOffer(
        channel=row.channel,
        sku=row.sku,
        offer_id=row.offer_id,
        price=row.price,
        stock=row.stock,
        delivery_code=row.delivery_code,
        on_hold=row.on_hold,
        state=OfferState(row.state),
        rejection_reasons=list(row.rejection_reasons or []),
        not_publishable_reasons=list(row.not_publishable_reasons or []),
        updated_at=row.updated_at,
    )


def count_by_state(book: OfferBook, channel: str) -> dict[OfferState, int]:
    counts: dict[OfferState, int] = {}
    for offer in book.offers(channel).values():
        counts[offer.state] = counts.get(offer.state, 0) + 1
    return counts
