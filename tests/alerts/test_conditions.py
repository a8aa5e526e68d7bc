"""Each alert condition raises at its threshold and resolves when it clears:
pure functions over facts, so every case is a plain unit test."""

from datetime import UTC, datetime, timedelta

from domain.alerts.clock import add_business_time
from domain.alerts.conditions import (
    all_alerts,
    channel_silent,
    import_failed,
    intake_stalled,
    offers_rejected,
    order_stuck,
    returns_unhandled,
    seller_cancellations,
    ship_by,
    shipment_unconfirmed,
)
from domain.alerts.config import Thresholds
from domain.alerts.facts import ChannelFacts, Facts, FailedImport, OpenReturn, OrderFacts
from domain.alerts.model import AlertKind, Severity
from domain.channels import Marketplace

NOW = datetime(2026, 12, 2, 14, 30, tzinfo=UTC)  # a Wednesday afternoon
LIMITS = Thresholds()


def channel(**facts: object) -> ChannelFacts:
    return ChannelFacts.model_validate(
        {
            "channel": "bol",
            "marketplace": Marketplace.BOL,
            "intake_workflow_id": "intake:bol",
            "poll_interval": timedelta(seconds=30),
            **facts,
        }
    )


def order(**facts: object) -> OrderFacts:
    return OrderFacts.model_validate(
        {
            "workflow_id": "order:bol:A1",
            "channel": "bol",
            "marketplace": Marketplace.BOL,
            "marketplace_order_id": "A1",
            "status": "AWAITING_PICK",
            **facts,
        }
    )


def busy_wednesdays(per_hour: int, last_order: datetime) -> list[datetime]:
    """`per_hour` orders in this hour on each of the past four Wednesdays,
    and the latest order at `last_order`."""
    times = [
        NOW - timedelta(weeks=week) - timedelta(minutes=25) + timedelta(minutes=50 * i / per_hour)
        for week in range(1, 5)
        for i in range(per_hour)
    ]
    return [*times, last_order]


def test_a_usually_busy_hour_without_orders_raises_and_a_new_order_resolves():
    silent = channel(order_times=busy_wednesdays(6, NOW - timedelta(minutes=45)))
    alert = channel_silent(silent, NOW, LIMITS)
    assert alert is not None and alert.kind is AlertKind.CHANNEL_SILENT
    assert "no new order for 45 min" in alert.message and "6.0/h" in alert.message
    assert alert.workflow_id == "intake:bol"
    assert channel_silent(channel(order_times=busy_wednesdays(6, NOW - timedelta(minutes=5))), NOW, LIMITS) is None


def test_silence_is_judged_per_hour_of_the_week():
    # Busy on Wednesdays at 14h, but it is now Thursday at 14h: nobody expects orders.
    thursday = NOW + timedelta(days=1)
    quiet = channel(order_times=busy_wednesdays(6, NOW))
    assert channel_silent(quiet, thursday, LIMITS) is None
    # Below the configured usual flow, an hour is not "usually active".
    assert channel_silent(channel(order_times=busy_wednesdays(1, NOW - timedelta(hours=5))), NOW, LIMITS) is not None
    rare = Thresholds(active_orders_per_hour=2)
    assert channel_silent(channel(order_times=busy_wednesdays(1, NOW - timedelta(hours=5))), NOW, rare) is None


def test_a_stalled_intake_raises_after_a_few_poll_intervals_and_resolves_when_its_cursor_moves():
    stalled = channel(intake_cursor=NOW - timedelta(minutes=4), intake_last_error="bol answered 503")
    (alert,) = intake_stalled(stalled, NOW, LIMITS)
    assert alert.kind is AlertKind.INTAKE_STALLED and "last poll failed: bol answered 503" in alert.message
    assert intake_stalled(channel(intake_cursor=NOW - timedelta(seconds=70)), NOW, LIMITS) == []
    assert intake_stalled(stalled, NOW, Thresholds(intake_stalled_polls=10)) == []


def test_rejected_credentials_raise_and_resolve_when_polls_go_through():
    rejected = channel(intake_cursor=NOW, intake_last_error="bol rejected the credentials: invalid_client")
    (alert,) = intake_stalled(rejected, NOW, LIMITS)
    assert alert.kind is AlertKind.CREDENTIALS_REJECTED and "invalid_client" in alert.message
    assert intake_stalled(channel(intake_cursor=NOW), NOW, LIMITS) == []


def test_seller_cancellations_warn_at_three_quarters_of_bols_two_percent_and_alert_at_it():
    assert seller_cancellations(channel(orders_in_window=1000, seller_fault_orders=14), LIMITS) is None
    warning = seller_cancellations(channel(orders_in_window=1000, seller_fault_orders=15), LIMITS)
    assert warning is not None and warning.severity is Severity.WARNING
    assert "1.50% of 1000 orders over 30 days" in warning.message
    alert = seller_cancellations(channel(orders_in_window=1000, seller_fault_orders=20), LIMITS)
    assert alert is not None and alert.severity is Severity.ALERT
    assert seller_cancellations(channel(orders_in_window=0, seller_fault_orders=0), LIMITS) is None


def test_kaufland_cancellations_are_judged_by_kauflands_threshold():
    kaufland = channel(marketplace=Marketplace.KAUFLAND, orders_in_window=1000, seller_fault_orders=10)
    alert = seller_cancellations(kaufland, LIMITS)
    assert alert is not None and alert.severity is Severity.ALERT


def test_ship_by_warns_before_the_cut_off_alerts_at_it_and_resolves_once_shipped():
    due = NOW + timedelta(hours=3)
    assert ship_by(order(ship_by=NOW + timedelta(hours=5)), NOW, LIMITS) is None
    warning = ship_by(order(ship_by=due), NOW, LIMITS)
    assert warning is not None and warning.severity is Severity.WARNING and warning.workflow_id == "order:bol:A1"
    breached = ship_by(order(ship_by=due), due, LIMITS)
    assert breached is not None and breached.severity is Severity.ALERT and "missed" in breached.message
    assert ship_by(order(ship_by=due, status="SHIPPING"), due, LIMITS) is None


def test_a_shipment_confirmation_not_final_after_its_expected_time_raises():
    shipping = order(status="SHIPPING", shipping_since=NOW - timedelta(minutes=40))
    alert = shipment_unconfirmed(shipping, NOW, LIMITS)
    assert alert is not None and "not final after 40 min" in alert.message
    assert (
        shipment_unconfirmed(order(status="SHIPPING", shipping_since=NOW - timedelta(minutes=10)), NOW, LIMITS) is None
    )
    assert shipment_unconfirmed(order(status="SHIPPED", shipping_since=NOW - timedelta(hours=2)), NOW, LIMITS) is None


def test_a_return_warns_at_three_quarters_of_bols_48_hours_and_alerts_at_the_breach():
    announced = NOW - timedelta(hours=35)
    open_return = order(status="RETURN_OPEN", open_returns=[OpenReturn(rma_id="R1", announced_at=announced)])
    assert returns_unhandled(open_return, NOW, LIMITS) == []
    (warning,) = returns_unhandled(open_return, announced + timedelta(hours=36), LIMITS)
    assert warning.severity is Severity.WARNING and "R1" in warning.message
    (breach,) = returns_unhandled(open_return, announced + timedelta(hours=48), LIMITS)
    assert breach.severity is Severity.ALERT
    assert returns_unhandled(order(status="RETURN_OPEN"), announced + timedelta(hours=48), LIMITS) == []


def test_kaufland_returns_get_fourteen_days():
    announced = NOW - timedelta(days=10)
    ret = order(marketplace=Marketplace.KAUFLAND, open_returns=[OpenReturn(rma_id="K1", announced_at=announced)])
    (warning,) = returns_unhandled(ret, NOW + timedelta(days=1), LIMITS)  # 10.5 of 14 days
    assert warning.severity is Severity.WARNING


def test_business_days_skip_the_weekend():
    friday_noon = datetime(2026, 12, 4, 12, tzinfo=UTC)
    assert add_business_time(friday_noon, timedelta(hours=48)) == datetime(2026, 12, 8, 12, tzinfo=UTC)
    saturday = datetime(2026, 12, 5, 9, tzinfo=UTC)
    assert add_business_time(saturday, timedelta(hours=1)) == datetime(2026, 12, 7, 1, tzinfo=UTC)


def test_offers_rejected_raise_and_resolve():
    alert = offers_rejected(channel(offers_rejected=3))
    assert alert is not None and alert.value == 3
    assert offers_rejected(channel(offers_rejected=0)) is None


def test_an_import_file_failed_raises():
    failed = FailedImport(import_id="x", kind="stock", name="stock.csv", message="2 row(s) rejected", at=NOW)
    alert = import_failed(failed)
    assert alert.kind is AlertKind.IMPORT_FAILED and "stock.csv" in alert.message
    assert all_alerts(Facts(now=NOW, failed_imports=[]), LIMITS) == []


def test_an_order_stuck_in_a_step_raises_and_resolves():
    flagged = order(attention={"ship": "bol refused the transporter"})
    alert = order_stuck(flagged, NOW, LIMITS)
    assert alert is not None and "ship: bol refused the transporter" in alert.message
    assert "ordertide order resume bol:A1" in alert.message
    accepting = order(status="RECEIVED", started_at=NOW - timedelta(minutes=6), attention={})
    assert order_stuck(accepting, NOW, LIMITS) is not None
    assert order_stuck(order(status="RECEIVED", started_at=NOW - timedelta(minutes=2)), NOW, LIMITS) is None
    assert order_stuck(order(attention={}), NOW, LIMITS) is None


def test_all_alerts_gathers_every_condition():
    facts = Facts(
        now=NOW,
        channels=[channel(offers_rejected=1, orders_in_window=100, seller_fault_orders=2)],
        orders=[order(ship_by=NOW - timedelta(minutes=1))],
    )
    kinds = {alert.kind for alert in all_alerts(facts, LIMITS)}
    assert kinds == {AlertKind.OFFERS_REJECTED, AlertKind.SELLER_CANCELLATIONS, AlertKind.SHIP_BY}
