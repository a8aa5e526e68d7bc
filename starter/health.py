"""Per-channel health for ops: is the channel alive, are shipments getting
confirmed, are offers accepted, is the seller-fault cancellation rate under
the marketplace's threshold."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel
from temporalio.client import Client

from activities.store import Database, OfferBook, OrderLedger
from activities.store.offers import count_by_state
from activities.store.shipments import ShipmentsInFlight
from domain.alerts.facts import seller_fault_rate
from domain.channels import Marketplace
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
    ledger, offers, shipments = OrderLedger(db), OfferBook(db), ShipmentsInFlight(db)
    report = []
    try:
        for name, config in settings.channels.items():
            last_hour = ledger.count_orders(name, now - timedelta(hours=1))
            week = ledger.count_orders(name, now - timedelta(days=7)) - last_hour
            usual = week / (7 * 24 - 1)
            silent = usual >= ACTIVE_CHANNEL_PER_HOUR and last_hour == 0
            # Orders publish no SHIPPING status (issue 12): waiting shipments are in the store.
            unconfirmed = shipments.count(name)
            attention = len(await orders_api.list_orders(client, orders_api.list_query(None, name, True)))
            rejected = count_by_state(offers, name).get(OfferState.REJECTED, 0)
            since = now - timedelta(days=30)
            # Per order, as the marketplace counts it (and the alert does).
            rate = seller_fault_rate(len(ledger.seller_fault_orders(name, since)), ledger.count_orders(name, since))
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


class CancellationOutlook(BaseModel):
    channel: str
    orders: int
    seller_fault_orders: int
    already_counted: bool
    threshold: Decimal
    window_days: int

    @property
    def rate_now(self) -> Decimal:
        return seller_fault_rate(self.seller_fault_orders, self.orders)

    @property
    def rate_after(self) -> Decimal:
        extra = 0 if self.already_counted else 1
        return seller_fault_rate(self.seller_fault_orders + extra, max(self.orders, 1))

    def describe(self, reason: str) -> str:
        verdict = "ABOVE" if self.rate_after >= self.threshold else "under"
        counted = " (this order already counts once)" if self.already_counted else ""
        return (
            f"{reason} counts against the seller on {self.channel}{counted}: seller-fault cancellations over "
            f"{self.window_days} days go from {self.rate_now:.2%} to {self.rate_after:.2%} of {self.orders} "
            f"order(s), {verdict} the marketplace's {self.threshold:.0%}."
        )


def cancellation_outlook(
    settings: Settings, channel: str, marketplace_order_id: str, now: datetime | None = None
) -> CancellationOutlook:
    """What one more seller-fault cancellation does to the rate the
    marketplace judges (per order: a second line of a counted order adds nothing)."""
    now = now or datetime.now(UTC)
    config = settings.channels.get(channel)
    sla = SLA[config.marketplace if config else Marketplace.BOL]
    db = Database(settings.store_url)
    try:
        db.create_schema()
        ledger = OrderLedger(db)
        since = now - sla.cancellation_window
        counted = ledger.seller_fault_orders(channel, since)
        return CancellationOutlook(
            channel=channel,
            orders=ledger.count_orders(channel, since),
            seller_fault_orders=len(counted),
            already_counted=marketplace_order_id in counted,
            threshold=sla.seller_cancellation_threshold,
            window_days=sla.cancellation_window.days,
        )
    finally:
        db.dispose()
