"""Channel offers: what each channel last accepted, per SKU."""

from collections.abc import Iterable

from sqlmodel import col, func, select

from activities.store.engine import Database
from activities.store.tables import ChannelOfferRow, utcnow
from domain.offers.in_flight import Settled, settle
from domain.offers.model import ChannelOffer, DesiredOffer, InFlight, OfferState, ProcessEnd


class OfferBook:
    def __init__(self, db: Database):
        self.session = db.session
        self.reading = db.reading

    def offers(self, channel: str, skus: Iterable[str] | None = None) -> dict[str, ChannelOffer]:
        with self.reading() as s:
            query = select(ChannelOfferRow).where(ChannelOfferRow.channel == channel)
            if skus is not None:
                query = query.where(col(ChannelOfferRow.sku).in_(list(skus)))
            return {row.sku: _to_offer(row) for row in s.exec(query)}

    def offers_and_desired(
        self, channel: str, skus: Iterable[str]
    ) -> tuple[dict[str, ChannelOffer], dict[str, DesiredOffer]]:
        """The offers of these SKUs and what was last asked of each, in one
        read: a sync round's plan."""
        with self.reading() as s:
            rows = list(
                s.exec(
                    select(ChannelOfferRow).where(
                        ChannelOfferRow.channel == channel, col(ChannelOfferRow.sku).in_(list(skus))
                    )
                )
            )
            return (
                {row.sku: _to_offer(row) for row in rows},
                {row.sku: DesiredOffer.model_validate(row.desired) for row in rows if row.desired},
            )

    def in_flight(self, channel: str, limit: int) -> list[ChannelOffer]:
        """Offers with an update the channel is still processing, oldest first."""
        with self.reading() as s:
            rows = s.exec(
                select(ChannelOfferRow)
                .where(ChannelOfferRow.channel == channel, col(ChannelOfferRow.in_flight_at).is_not(None))
                .order_by(col(ChannelOfferRow.in_flight_at))
                .limit(limit)
            )
            return [_to_offer(row) for row in rows]

    def count_in_flight(self, channel: str) -> int:
        with self.reading() as s:
            query = select(func.count()).where(
                ChannelOfferRow.channel == channel, col(ChannelOfferRow.in_flight_at).is_not(None)
            )
            return s.exec(query).one()

    def record(self, offer: ChannelOffer, desired: DesiredOffer | None) -> None:
        with self.session() as s, s.begin():
            row = s.get(ChannelOfferRow, (offer.channel, offer.sku)) or ChannelOfferRow(
                channel=offer.channel, sku=offer.sku
            )
            _write(row, offer, desired)
            s.add(row)

    def settle(self, channel: str, followed: dict[str, list[str]], ends: dict[str, ProcessEnd]) -> dict[str, Settled]:
        """Records how the updates in flight whose processes were `followed`
        ended, in one transaction with the rows locked: a round recording a
        newer update of the same offer meanwhile is never overwritten."""
        outcomes: dict[str, Settled] = {}
        with self.session() as s, s.begin():
            rows = s.exec(
                select(ChannelOfferRow)
                .where(ChannelOfferRow.channel == channel, col(ChannelOfferRow.sku).in_(list(followed)))
                .with_for_update()
            )
            for row in rows:
                sent = DesiredOffer.model_validate(row.desired) if row.desired else None
                settled, offer = settle(_to_offer(row), followed[row.sku], sent, ends)
                outcomes[row.sku] = settled
                if offer is not None:
                    _write(row, offer, None)
                    s.add(row)
        return outcomes


def _write(row: ChannelOfferRow, offer: ChannelOffer, desired: DesiredOffer | None) -> None:
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
    row.in_flight = offer.in_flight.model_dump(mode="json") if offer.in_flight else None
    row.in_flight_at = row.updated_at if offer.in_flight else None


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
        in_flight=InFlight.model_validate(row.in_flight) if row.in_flight else None,
        updated_at=row.updated_at,
    )


def count_by_state(book: OfferBook, channel: str) -> dict[OfferState, int]:
    counts: dict[OfferState, int] = {}
    for offer in book.offers(channel).values():
        counts[offer.state] = counts.get(offer.state, 0) + 1
    return counts
