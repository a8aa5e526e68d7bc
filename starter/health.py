"""Per-channel health for ops: is the channel alive, are shipments getting
confirmed, are offers accepted, is the seller-fault cancellation rate under
the marketplace's threshold."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel
from temporalio.client import Client

from activities.store import Database, OfferBook, OrderLedger
from activities.store.offers import count_by_state
from domain.offers.model import OfferState
from domain.sla import SLA
from starter import orders_api
from workers.settings import Settings

# A channel that usually brings at least this many orders an hour is
# expected to bring one in the last hour.
ACTIVE_CHANNEL_PER_HOUR = 2.0


class ChannelHealth(BaseModel):
    channel: str
    orders_last_hour: int
    usual_orders_per_hour: float
    silent: bool
    shipments_unconfirmed: int
    needs_attention: int
    offers_rejected: int
    seller_cancellation_rate: Decimal
    seller_cancellation_threshold: Decimal
    over_threshold: bool
    problems: list[str]


async def channel_health(client: Client, settings: Settings, now: datetime | None = None) -> list[ChannelHealth]:
    now = now or datetime.now(UTC)
    db = Database(settings.store_url)
    ledger, offers = OrderLedger(db), OfferBook(db)
    report = []
    try:
        for name, config in settings.channels.items():
            last_hour = ledger.count_orders(name, now - timedelta(hours=1))
            week = ledger.count_orders(name, now - timedelta(days=7)) - last_hour
            usual = week / (7 * 24 - 1)
            silent = usual >= ACTIVE_CHANNEL_PER_HOUR and last_hour == 0
            unconfirmed = len(await orders_api.list_orders(client, orders_api.list_query("SHIPPING", name)))
            attention = len(await orders_api.list_orders(client, orders_api.list_query(None, name, True)))
            rejected = count_by_state(offers, name).get(OfferState.REJECTED, 0)
            since = now - timedelta(days=30)
            lines = ledger.order_lines_since(name, since)
            seller_fault = sum(1 for c in ledger.cancellations(name, since) if c.seller_fault)
            rate = (Decimal(seller_fault) / lines).quantize(Decimal("0.0001")) if lines else Decimal(0)
            threshold = SLA[config.marketplace].seller_cancellation_threshold
            problems = []
            if silent:
                problems.append(f"no orders in the last hour (usually {usual:.1f}/h)")
            if unconfirmed:
                problems.append(f"{unconfirmed} shipment(s) waiting for the marketplace's confirmation")
            if attention:
                problems.append(f"{attention} order(s) need attention (ordertide orders stuck)")
            if rejected:
                problems.append(f"{rejected} offer(s) rejected (ordertide offers show SKU)")
            if rate > threshold:
                problems.append(f"seller-fault cancellations {rate:.2%} over 30 days, above {threshold:.0%}")
            report.append(
                ChannelHealth(
                    channel=name,
                    orders_last_hour=last_hour,
                    usual_orders_per_hour=round(usual, 2),
                    silent=silent,
                    shipments_unconfirmed=unconfirmed,
                    needs_attention=attention,
                    offers_rejected=rejected,
                    seller_cancellation_rate=rate,
                    seller_cancellation_threshold=threshold,
                    over_threshold=rate > threshold,
                    problems=problems,
                )
            )
    finally:
        db.dispose()
    return report
