"""The evaluation reads its facts from the real store and Temporal: a busy
hour of the week gone quiet, and seller-fault cancellations counted per
order however many lines each lost."""

from datetime import UTC, datetime, timedelta

from pydantic import SecretStr
from temporalio.client import Client, Interceptor, OutboundInterceptor, QueryWorkflowInput

from activities.alerts.evaluate import AlertActivities
from activities.store.tables import OrderRecord
from domain.alerts.conditions import all_alerts
from domain.alerts.config import AlertSettings, Thresholds
from domain.alerts.model import Alert, AlertKind, Severity
from domain.ids import intake_workflow_id, line_key
from domain.order.messages import PickRequest, ResumeRequest
from domain.order.status import OrderStatus
from tests.support import eventually
from tests.workflows.helpers import MUG, place_and_start, wait_for, wait_for_attention
from workers.worker import ensure_intake
from workflows.order import OrderWorkflow


async def test_facts_from_the_store_raise_a_silent_channel_and_a_per_order_cancellation_rate(
    dev_env, engines, task_queue
):
    engine = engines.build(task_queue)
    now = datetime.now(UTC)
    with engine.db.session() as s, s.begin():
        for week in range(1, 5):  # ten orders in this hour on each of the past four weeks
            for n in range(10):
                at = now - timedelta(weeks=week) - timedelta(minutes=n)
                at = at if at.hour == now.hour else at + timedelta(minutes=n)
                s.add(
                    OrderRecord(
                        channel="bol", marketplace_order_id=f"W{week}-{n}", placed_at=at, received_at=at, payload={}
                    )
                )
    # Two lines of one order cancelled for the seller's fault: one order of 40 in 30 days.
    for line in ("1", "2"):
        engine.ledger.record_cancellation(line_key("bol", "W1-3", line), "bol", "OUT_OF_STOCK", True, 1)
    activities = AlertActivities(AlertSettings(), engine.settings.channels, engine.db, dev_env.client, task_queue)
    try:
        facts = await activities.gather(now)
    finally:
        await activities.aclose()
    (channel,) = facts.channels
    assert (channel.orders_in_window, channel.seller_fault_orders) == (40, 1)
    found = {alert.kind: alert for alert in all_alerts(facts, AlertSettings().thresholds)}
    assert found[AlertKind.CHANNEL_SILENT].channel == "bol"
    assert found[AlertKind.SELLER_CANCELLATIONS].severity is Severity.ALERT  # 2.5 % of orders, over bol's 2 %
    assert "2.50% of 40 orders" in found[AlertKind.SELLER_CANCELLATIONS].message


async def test_credentials_the_marketplace_rejects_raise_an_alert_from_the_intakes_state(dev_env, engines, task_queue):
    engine = engines.build(task_queue, client_secret=SecretStr("revoked"))
    activities = AlertActivities(AlertSettings(), engine.settings.channels, engine.db, dev_env.client, task_queue)
    try:
        async with engine.worker(dev_env.client):
            await ensure_intake(dev_env.client, engine.settings)

            async def rejected():
                facts = await activities.gather(datetime.now(UTC))
                return [
                    a for a in all_alerts(facts, AlertSettings().thresholds) if a.kind is AlertKind.CREDENTIALS_REJECTED
                ]

            (alert,) = await eventually(rejected)
    finally:
        await activities.aclose()
        await dev_env.client.get_workflow_handle(intake_workflow_id("bol")).terminate()
    assert alert.workflow_id == "intake:bol" and "bol rejected the credentials" in alert.message


async def test_a_shipment_still_waiting_for_bols_process_status_raises_until_it_is_final(
    dev_env, engines, bol, task_queue
):
    engine = engines.build(task_queue)
    # bol takes the shipment and keeps its answer back until the test lets it go.
    bol.state.add_fault(path="/retailer/shipments", method="POST", kind="hold", times=1)
    # Any shipment not yet final counts: the test cannot wait the default 30 minutes.
    settings = AlertSettings(thresholds=Thresholds(shipment_confirmation=timedelta(0)))
    activities = AlertActivities(settings, engine.settings.channels, engine.db, dev_env.client, task_queue)

    async def unconfirmed() -> list[Alert]:
        facts = await activities.gather(datetime.now(UTC))
        return [a for a in all_alerts(facts, settings.thresholds) if a.kind is AlertKind.SHIPMENT_UNCONFIRMED]

    try:
        async with engine.worker(dev_env.client):
            _, handle = await place_and_start(dev_env.client, bol, task_queue, [{**MUG, "quantity": 1}])
            await wait_for(handle, OrderStatus.AWAITING_PICK)
            await handle.execute_update(OrderWorkflow.pick, PickRequest(track_and_trace="3SBOL0000001"))
            (alert,) = await eventually(unconfirmed)
            assert alert.subject == handle.id and "not final after" in alert.message
            async with bol.control() as control:
                await control.delete("/_sandbox/holds")
            await wait_for(handle, OrderStatus.SHIPPED)
            assert await unconfirmed() == []
    finally:
        await activities.aclose()


class _QueriesAsked(Interceptor):
    """Counts the queries a client sends, per workflow id: each one is billed."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def intercept_client(self, inner: OutboundInterceptor) -> OutboundInterceptor:
        asked = self.asked

        class Counting(OutboundInterceptor):
            async def query_workflow(self, request: QueryWorkflowInput):
                asked.append(request.id)
                return await super().query_workflow(request)

        return Counting(inner)


async def test_an_order_is_queried_again_only_when_its_history_grew(dev_env, engines, bol, task_queue):
    engine = engines.build(task_queue)
    queries = _QueriesAsked()
    client = Client(**{**dev_env.client.config(), "interceptors": [queries]})
    activities = AlertActivities(AlertSettings(), engine.settings.channels, engine.db, client, task_queue)
    unknown = {"ean": "5012345678900", "unitPrice": "9.99", "title": "Kettle we never listed", "quantity": 1}

    async def attention_seen() -> bool:
        facts = await activities.gather(datetime.now(UTC))
        return any(o.workflow_id == handle.id and o.attention for o in facts.orders)

    try:
        async with engine.worker(dev_env.client):
            _, handle = await place_and_start(dev_env.client, bol, task_queue, [unknown])
            await wait_for_attention(handle)
            await eventually(attention_seen)  # once visibility lists it
            asked = queries.asked.count(handle.id)
            for _ in range(3):  # evaluations every few minutes, nothing new on the order
                assert await attention_seen()
            assert queries.asked.count(handle.id) == asked
            # News on the order (a resume that fails again): it is asked once more.
            await handle.execute_update(OrderWorkflow.resume, ResumeRequest(note="still looking for the kettle"))

            async def asked_again() -> bool:
                await attention_seen()
                return queries.asked.count(handle.id) > asked

            await eventually(asked_again)
    finally:
        await activities.aclose()
