"""The alert evaluation's activities: gather the facts (store and Temporal
visibility), evaluate the conditions, keep the open alerts in the store,
send each message to one sink, tell workflows their alerts changed."""

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import httpx
from temporalio import activity
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError, RPCStatusCode

from activities.alerts.sinks import Sink, configured_sinks
from activities.order_search import OrderSummary, list_orders, list_query, order_views
from activities.store import AlertBook, Database, OfferBook, OrderLedger
from activities.store.labels import ShippingLabels
from activities.store.offers import count_by_state
from activities.store.shipments import ShipmentsInFlight
from domain import names
from domain.alerts.conditions import UNSHIPPED, all_alerts
from domain.alerts.config import AlertSettings
from domain.alerts.facts import ChannelFacts, Facts, OpenReturn, OrderFacts
from domain.alerts.messages import AlertRound, AlertsChanged, AlertsInput, NotifyRequest, PublishRequest
from domain.alerts.model import Alert
from domain.config import ChannelConfig
from domain.ids import alerts_workflow_id, intake_workflow_id
from domain.intake import IntakeState
from domain.offers.model import OfferState
from domain.order.view import OrderView
from domain.sla import SLA

log = logging.getLogger(__name__)

INTAKE_PATIENCE = timedelta(seconds=3)
# How long an undelivered message is offered again to later evaluations (a
# sink down for a while, an evaluation that died after recording it), and
# how long delivered ones are remembered so that none is sent twice.
REDELIVER_RUNS = 2
OUTBOX_KEPT = timedelta(days=7)
SHIP_ACTIVITY = "ship_lines"


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


class AlertActivities:
    def __init__(
        self,
        settings: AlertSettings,
        channels: dict[str, ChannelConfig],
        db: Database,
        client: Client,
        task_queue: str,
        http: httpx.AsyncClient | None = None,
    ):
        self.settings, self.channels, self.db, self.client = settings, channels, db, client
        self.task_queue = task_queue
        self.ledger, self.offers, self.book = OrderLedger(db), OfferBook(db), AlertBook(db)
        self.shipments = ShipmentsInFlight(db)
        self.labels = ShippingLabels(db)
        self.http = http or httpx.AsyncClient(timeout=10)
        self.sinks: dict[str, Sink] = configured_sinks(settings, self.http)
        # Each order's view as last queried, by the length of its history
        # then: kept across evaluations in this worker (see _views).
        self._known_views: dict[str, tuple[int, OrderView]] = {}

    def all(self) -> list:
        return [self.evaluate_alerts, self.notify, self.publish]

    @activity.defn
    async def evaluate_alerts(self) -> AlertRound:
        now = datetime.now(UTC)
        facts = await self.gather(now)
        return await self.settle(all_alerts(facts, self.settings.thresholds), now)

    async def settle(self, found: list[Alert], now: datetime) -> AlertRound:
        """The transition, recorded with its messages, and every message not
        yet delivered: a retry of an attempt whose answer was lost finds them
        there instead of losing them."""
        sinks = list(self.sinks)
        result = await self.db.run(self.book.transition, found, now, sinks)
        since = now - REDELIVER_RUNS * self.settings.every - timedelta(minutes=1)
        deliveries = await self.db.run(self.book.undelivered, sinks, since)
        await self.db.run(self.book.forget_deliveries, now - max(OUTBOX_KEPT, 2 * self.settings.every))
        return AlertRound(
            events=result.events, sinks=sinks, attention=result.attention, open=result.open, deliveries=deliveries
        )

    @activity.defn
    async def notify(self, request: NotifyRequest) -> None:
        """Send one message to one sink, once: a delivery recorded as done is
        not sent again, whoever asks."""
        message_id = request.message_id
        if message_id is not None:
            delivered: bool = await self.db.run(self.book.delivered, message_id, request.sink)
            if delivered:
                return
        await self.sinks[request.sink].send(request.event)
        if message_id is not None:
            await self.db.run(self.book.mark_delivered, message_id, request.sink)

    @activity.defn
    async def publish(self, request: PublishRequest) -> None:
        """Tell each affected workflow its alerts changed (one that has closed
        has nothing to show), and the alerts workflow what is open."""
        for workflow_id, alerts in request.attention.items():
            handle = self.client.get_workflow_handle(workflow_id)
            try:
                await handle.signal(names.SIGNAL_ALERTS_CHANGED, AlertsChanged(alerts=alerts))
            except RPCError as err:
                if err.status != RPCStatusCode.NOT_FOUND:
                    raise
        await self.client.start_workflow(
            names.ALERTS_WORKFLOW,
            AlertsInput(open=request.open),
            id=alerts_workflow_id(self.task_queue),
            task_queue=self.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            start_signal=names.SIGNAL_OPEN_ALERTS,
            start_signal_args=[request.open],
            static_summary="Open alerts (ordertide alerts)",
        )

    # Facts.

    async def gather(self, now: datetime) -> Facts:
        channels = await asyncio.gather(*(self._channel(name, config, now) for name, config in self.channels.items()))
        return Facts(
            now=now,
            channels=list(channels),
            orders=await self._orders(now),
            failed_imports=await self.db.run(self.book.failed_imports),
            unused_labels=[
                label
                for label in await self.db.run(self.labels.unused, now - self.settings.thresholds.label_forgotten)
                if label.channel in self.channels
            ],
        )

    async def _channel(self, name: str, config: ChannelConfig, now: datetime) -> ChannelFacts:
        limits = self.settings.thresholds
        window = SLA[config.marketplace].cancellation_window
        since = now - max(timedelta(weeks=limits.history_weeks), window)
        times = [_utc(t) for t in await self.db.run(self.ledger.order_times, name, since)]
        in_window = sum(1 for t in times if t >= now - window)
        seller_fault = await self.db.run(self.ledger.seller_fault_orders, name, now - window)
        rejected = (await self.db.run(count_by_state, self.offers, name)).get(OfferState.REJECTED, 0)
        facts = ChannelFacts(
            channel=name,
            marketplace=config.marketplace,
            intake_workflow_id=intake_workflow_id(name),
            poll_interval=config.poll_interval,
            order_times=times,
            orders_in_window=in_window,
            seller_fault_orders=len(seller_fault),
            offers_rejected=rejected,
        )
        handle = self.client.get_workflow_handle(intake_workflow_id(name))
        try:
            state = await handle.query("state", result_type=IntakeState, rpc_timeout=INTAKE_PATIENCE)
        except Exception as err:  # no intake (yet), or it did not answer: judged by what the store shows
            log.info("intake %s did not answer: %s", name, err)
            return facts
        return facts.model_copy(update={"intake_cursor": state.cursor, "intake_last_error": state.last_error})

    async def _orders(self, now: datetime) -> list[OrderFacts]:
        limits = self.settings.thresholds
        # This deployment's orders: a namespace may hold others' (staging, tests).
        running = f"{list_query()} AND ExecutionStatus = 'Running' AND TaskQueue = '{self.task_queue}'"
        statuses = ", ".join(f"'{s}'" for s in UNSHIPPED)
        queries = [
            f"{running} AND {names.SHIP_BY.name} < '{(now + limits.ship_by_warning).isoformat()}'"
            f" AND {names.ORDER_STATUS.name} IN ({statuses})",
            f"{running} AND {names.ORDER_STATUS.name} IN ('SHIPPING', 'RETURN_OPEN')",
            f"{running} AND {names.NEEDS_ATTENTION.name} = true",
            f"{running} AND {names.ORDER_STATUS.name} = 'RECEIVED'"
            f" AND StartTime < '{(now - limits.accepting).isoformat()}'",
        ]
        # Intake before code version 1 started an order it could read
        # AWAITING_PICK, unaccepted (issue 12): until a worker has run it, it
        # has no TemporalChangeVersion and is still being accepted. Orders
        # intake accepts before their start are given one at start.
        never_run = (
            f"{running} AND {names.ORDER_STATUS.name} = 'AWAITING_PICK' AND TemporalChangeVersion IS NULL"
            f" AND StartTime < '{(now - limits.accepting).isoformat()}'"
        )
        found: dict[str, OrderSummary] = {}
        for query in [never_run, *queries]:
            for order in await list_orders(self.client, query):
                # A namespace may hold another deployment's channels: judged there.
                if order.channel not in self.channels:
                    continue
                if query is never_run:
                    order = order.model_copy(update={"status": "RECEIVED"})
                found.setdefault(order.workflow_id, order)
        views = await self._views(list(found))
        facts = [await self._order(summary, view) for summary, view in zip(found.values(), views, strict=True)]
        # Orders publish no SHIPPING status (issue 12): their waiting
        # shipments are in the store, with the time the command started.
        waiting = await self.db.run(self.shipments.waiting_since, now - limits.shipment_confirmation)
        by_id = {f.workflow_id: f for f in facts}
        for row in waiting:
            if row.channel not in self.channels:
                continue
            known = by_id.get(row.workflow_id)
            if known is not None:
                known.status, known.shipping_since = "SHIPPING", _utc(row.since)
                continue
            facts.append(
                OrderFacts(
                    workflow_id=row.workflow_id,
                    channel=row.channel,
                    marketplace=self.channels[row.channel].marketplace,
                    marketplace_order_id=row.marketplace_order_id,
                    status="SHIPPING",
                    shipping_since=_utc(row.since),
                )
            )
        return facts

    async def _views(self, workflow_ids: list[str]) -> list[OrderView | None]:
        """Each order's view, queried only when its history grew since the
        last evaluation: a query is a billable action, and an order open for
        days would otherwise be asked every few minutes. A workflow's state,
        and so its view, changes only with its history; describing it is not
        billed and needs no worker."""
        lengths = dict(zip(workflow_ids, await asyncio.gather(*map(self._history_length, workflow_ids)), strict=True))
        views: dict[str, OrderView | None] = {
            workflow_id: cached[1]
            for workflow_id in workflow_ids
            if (cached := self._known_views.get(workflow_id)) is not None and cached[0] == lengths[workflow_id]
        }
        stale = [workflow_id for workflow_id in workflow_ids if workflow_id not in views]
        views.update(zip(stale, await order_views(self.client, stale), strict=True))
        # Orders no longer listed (closed, or no longer of interest) are forgotten.
        self._known_views = {
            workflow_id: (length, view)
            for workflow_id, view in views.items()
            if view is not None and (length := lengths[workflow_id]) is not None
        }
        return [views[workflow_id] for workflow_id in workflow_ids]

    async def _history_length(self, workflow_id: str) -> int | None:
        try:
            return (await self.client.get_workflow_handle(workflow_id).describe()).history_length
        except RPCError:
            return None

    async def _order(self, summary: OrderSummary, view: OrderView | None) -> OrderFacts:
        marketplace = view.marketplace if view else self.channels[summary.channel].marketplace
        facts = OrderFacts(
            workflow_id=summary.workflow_id,
            channel=summary.channel,
            marketplace=marketplace,
            marketplace_order_id=summary.marketplace_order_id,
            status=summary.status,
            started_at=summary.started_at,
            ship_by=summary.ship_by,
            attention={str(step): reason for step, reason in view.attention.items()} if view else None,
            open_returns=[
                # The marketplace's SLA clock runs from its registration of the return.
                OpenReturn(rma_id=r.rma_id, announced_at=min(r.registered_at or r.announced_at, r.announced_at))
                for r in (view.returns if view else [])
                if r.handled_at is None
            ],
        )
        if summary.status == "SHIPPING":  # orders from before issue 12 publish it
            facts.shipping_since = await self._shipping_since(summary.workflow_id)
        return facts

    async def _shipping_since(self, workflow_id: str) -> datetime | None:
        """When the ship activity started: a shipment follows the
        marketplace's process status inside that one activity."""
        try:
            description = await self.client.get_workflow_handle(workflow_id).describe()
        except RPCError:
            return None
        for pending in description.raw_description.pending_activities:
            if pending.activity_type.name == SHIP_ACTIVITY:
                times = [t.ToDatetime(UTC) for t in (pending.scheduled_time, pending.last_started_time) if t.seconds]
                return min(times, default=None)
        return None

    async def aclose(self) -> None:
        await self.http.aclose()
