"""The alert conditions: pure functions from facts and thresholds to the
alerts standing now. Each one is a plain function with its own unit tests."""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from decimal import Decimal

from domain.alerts.clock import deadline
from domain.alerts.config import Thresholds
from domain.alerts.facts import ChannelFacts, Facts, FailedImport, OrderFacts, UnusedLabel, seller_fault_rate
from domain.alerts.model import Alert, AlertKind, Severity
from domain.ids import order_workflow_id
from domain.intake import IntakeInput
from domain.sla import SLA

# The marketplace adapters word a refused token request this way
# (activities/marketplaces/*/auth.py); intake reports it as its last error.
CREDENTIALS_REJECTED = "rejected the credentials"
# Orders not yet handed to the marketplace as shipped.
UNSHIPPED = ("RECEIVED", "AWAITING_PICK")
HOUR = timedelta(hours=1)
# How long one intake watch polls before it reports (domain.intake.IntakeInput.watch).
INTAKE_WATCH = IntakeInput.model_fields["watch"].get_default()


def _hour_of_week(at: datetime) -> int:
    return at.weekday() * 24 + at.hour


def usual_orders_per_hour(channel: ChannelFacts, now: datetime, weeks: int) -> float:
    """Orders in this hour of the week, on average over the past `weeks`
    (this week's hour excluded: it is the one being judged)."""
    hour = _hour_of_week(now)
    this_hour = now.replace(minute=0, second=0, microsecond=0)
    since = this_hour - timedelta(weeks=weeks)
    earlier = [t for t in channel.order_times if since <= t < this_hour and _hour_of_week(t) == hour]
    return len(earlier) / weeks


def channel_silent(channel: ChannelFacts, now: datetime, limits: Thresholds) -> Alert | None:
    usual = usual_orders_per_hour(channel, now, limits.history_weeks)
    if usual < limits.active_orders_per_hour:
        return None
    allowed = max(limits.silent_minimum, limits.silent_gaps * HOUR / usual)
    last = max(channel.order_times, default=now - timedelta(weeks=limits.history_weeks))
    silent = now - last
    if silent <= allowed:
        return None
    minutes = int(silent.total_seconds() // 60)
    return Alert(
        kind=AlertKind.CHANNEL_SILENT,
        subject=channel.channel,
        channel=channel.channel,
        workflow_id=channel.intake_workflow_id,
        severity=Severity.ALERT,
        # Re-sent each time the silence grows by another allowed span, not every evaluation.
        value=float(silent // allowed),
        message=f"no new order for {minutes} min; at this hour of the week it usually brings {usual:.1f}/h",
    )


def intake_stalled(channel: ChannelFacts, now: datetime, limits: Thresholds) -> list[Alert]:
    alerts = []
    error = channel.intake_last_error
    if error and CREDENTIALS_REJECTED in error:
        alerts.append(
            Alert(
                kind=AlertKind.CREDENTIALS_REJECTED,
                subject=channel.channel,
                channel=channel.channel,
                workflow_id=channel.intake_workflow_id,
                severity=Severity.ALERT,
                message=f"{error} — fix them with `ordertide init` (or the secrets file) and restart the worker",
            )
        )
    # The intake reports its cursor once per watch (a minute of polls), so
    # its age runs up to a watch even when all is well; stalled is beyond that.
    allowed = INTAKE_WATCH + limits.intake_stalled_polls * channel.poll_interval
    since = channel.intake_cursor or channel.intake_started_at
    if since is not None and now - since > allowed:
        minutes = int((now - since).total_seconds() // 60)
        why = f"; last poll failed: {error}" if error else ""
        alerts.append(
            Alert(
                kind=AlertKind.INTAKE_STALLED,
                subject=channel.channel,
                channel=channel.channel,
                workflow_id=channel.intake_workflow_id,
                severity=Severity.ALERT,
                value=float((now - since) // allowed),
                message=f"intake has not moved on for {minutes} min (polls every {channel.poll_interval}){why}",
            )
        )
    return alerts


def seller_cancellations(channel: ChannelFacts, limits: Thresholds) -> Alert | None:
    threshold = SLA[channel.marketplace].seller_cancellation_threshold
    rate = seller_fault_rate(channel.seller_fault_orders, channel.orders_in_window)
    window = SLA[channel.marketplace].cancellation_window
    if rate >= threshold:
        severity = Severity.ALERT
    elif rate >= threshold * Decimal(str(limits.cancellation_warn_share)):
        severity = Severity.WARNING
    else:
        return None
    return Alert(
        kind=AlertKind.SELLER_CANCELLATIONS,
        subject=channel.channel,
        channel=channel.channel,
        workflow_id=channel.intake_workflow_id,
        severity=severity,
        value=float(rate),
        message=(
            f"seller-fault cancellations {rate:.2%} of {channel.orders_in_window} orders over "
            f"{window.days} days; {channel.marketplace} penalises at {threshold:.0%}"
        ),
    )


def offers_rejected(channel: ChannelFacts) -> Alert | None:
    if not channel.offers_rejected:
        return None
    return Alert(
        kind=AlertKind.OFFERS_REJECTED,
        subject=channel.channel,
        channel=channel.channel,
        severity=Severity.WARNING,
        value=float(channel.offers_rejected),
        message=f"{channel.offers_rejected} offer(s) rejected (ordertide offers show SKU)",
    )


def ship_by(order: OrderFacts, now: datetime, limits: Thresholds) -> Alert | None:
    if order.status not in UNSHIPPED or order.ship_by is None or now < order.ship_by - limits.ship_by_warning:
        return None
    breached = now >= order.ship_by
    return Alert(
        kind=AlertKind.SHIP_BY,
        subject=order.workflow_id,
        channel=order.channel,
        workflow_id=order.workflow_id,
        severity=Severity.ALERT if breached else Severity.WARNING,
        message=(
            f"{'missed' if breached else 'not shipped yet, due by'} its ship-by cut-off "
            f"{order.ship_by:%Y-%m-%d %H:%M} UTC; still {order.status}"
        ),
    )


def shipment_unconfirmed(order: OrderFacts, now: datetime, limits: Thresholds) -> Alert | None:
    if order.status != "SHIPPING" or order.shipping_since is None:
        return None
    waited = now - order.shipping_since
    if waited <= limits.shipment_confirmation:
        return None
    return Alert(
        kind=AlertKind.SHIPMENT_UNCONFIRMED,
        subject=order.workflow_id,
        channel=order.channel,
        workflow_id=order.workflow_id,
        severity=Severity.ALERT,
        message=f"shipment confirmation not final after {int(waited.total_seconds() // 60)} min",
    )


def label_unused(label: UnusedLabel, now: datetime, limits: Thresholds) -> Alert | None:
    """Bought, and no shipment went out with it after `label_unused`; left
    alone `label_forgotten` after its purchase (its parcel is long gone or
    never will be)."""
    age = now - label.bought_at
    if age <= limits.label_unused or age > limits.label_forgotten:
        return None
    workflow_id = order_workflow_id(label.channel, label.marketplace_order_id)
    why = label.voided or "no shipment went out with it; ship the order or cancel it"
    return Alert(
        kind=AlertKind.LABEL_UNUSED,
        subject=f"{workflow_id}:{label.label_id}",
        channel=label.channel,
        workflow_id=workflow_id,
        severity=Severity.WARNING,
        message=(
            f"shipping label {label.label_id} ({label.transporter_code}, {label.track_and_trace}) bought "
            f"{label.bought_at:%Y-%m-%d %H:%M} UTC and not used: {why}"
        ),
    )


def returns_unhandled(order: OrderFacts, now: datetime, limits: Thresholds) -> list[Alert]:
    sla = SLA[order.marketplace]
    alerts = []
    for ret in order.open_returns:
        breach = deadline(ret.announced_at, sla.return_handling, sla.return_handling_business_days)
        warn = deadline(
            ret.announced_at, sla.return_handling * limits.return_warn_share, sla.return_handling_business_days
        )
        if now < warn:
            continue
        breached = now >= breach
        alerts.append(
            Alert(
                kind=AlertKind.RETURN_UNHANDLED,
                subject=f"{order.workflow_id}:{ret.rma_id}",
                channel=order.channel,
                workflow_id=order.workflow_id,
                severity=Severity.ALERT if breached else Severity.WARNING,
                message=(
                    f"return {ret.rma_id} not handled; {order.marketplace}'s deadline "
                    f"{breach:%Y-%m-%d %H:%M} UTC {'has passed' if breached else 'is near'}"
                ),
            )
        )
    return alerts


def order_stuck(order: OrderFacts, now: datetime, limits: Thresholds) -> Alert | None:
    """Flagged by the order itself (a marketplace's "no", an unknown EAN), or
    still being accepted long after it started."""
    # A late return has an alert of its own (returns_unhandled).
    reasons = [f"{step}: {reason}" for step, reason in (order.attention or {}).items() if step != "late return"]
    if order.status == "RECEIVED" and order.started_at and now - order.started_at > limits.accepting and not reasons:
        reasons.append(f"still being accepted after {int((now - order.started_at).total_seconds() // 60)} min")
    if not reasons:
        return None
    return Alert(
        kind=AlertKind.ORDER_STUCK,
        subject=order.workflow_id,
        channel=order.channel,
        # The order shows its own flags already; no second NeedsAttention signal.
        workflow_id=None,
        severity=Severity.ALERT,
        message="; ".join(reasons) + f" — ordertide order resume {order.channel}:{order.marketplace_order_id}",
    )


def import_failed(failed: FailedImport) -> Alert:
    return Alert(
        kind=AlertKind.IMPORT_FAILED,
        subject=f"{failed.kind}:{failed.name}",
        severity=Severity.ALERT,
        message=f"{failed.kind} import of {failed.name} failed at {failed.at:%Y-%m-%d %H:%M} UTC: {failed.message}",
    )


def _present(found: Iterable[Alert | None]) -> list[Alert]:
    return [alert for alert in found if alert is not None]


def all_alerts(facts: Facts, limits: Thresholds) -> list[Alert]:
    now = facts.now
    found: list[Alert] = []
    for channel in facts.channels:
        found += _present([channel_silent(channel, now, limits), seller_cancellations(channel, limits)])
        found += _present([offers_rejected(channel)])
        found += intake_stalled(channel, now, limits)
    per_order: list[Callable[[OrderFacts, datetime, Thresholds], Alert | None]] = [
        ship_by,
        shipment_unconfirmed,
        order_stuck,
    ]
    for order in facts.orders:
        found += _present(check(order, now, limits) for check in per_order)
        found += returns_unhandled(order, now, limits)
    found += [import_failed(failed) for failed in facts.failed_imports]
    found += _present(label_unused(label, now, limits) for label in facts.unused_labels)
    return found
