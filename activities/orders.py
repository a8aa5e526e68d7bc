"""Activities of the order workflow. Each one is a whole step (marketplace
command plus the store change that goes with it), idempotent, so a retry
after a crash neither ships twice nor reserves twice."""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from opentelemetry import trace
from sqlalchemy.exc import IntegrityError
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.channels import Channels
from activities.errors import marketplace_errors, unexpected_errors_need_attention
from activities.heartbeat import heartbeating
from activities.marketplaces.base import CommandContext, DeliveryTracker, LabelSeller, TransportChanger
from activities.notify import StockNotifier
from activities.store import InventoryStore, OrderLedger
from activities.store.labels import ShippingLabels
from activities.store.shipments import ShipmentsInFlight
from activities.tracing import tag
from activities.warehouse import NOT_ACKNOWLEDGED, WarehousePusher, warehouse_order
from domain.errors import BUSINESS_ERROR_TYPE, BusinessError, OrderNotVisible
from domain.ids import line_key, order_workflow_id
from domain.labels import LabelRules, LabelSource
from domain.money import to_money
from domain.order.commands import (
    AcceptedOrder,
    CancelLineInput,
    ChangeTransportInput,
    CommandResult,
    HandleReturnInput,
    ReturnOutcome,
    ShipInput,
    ShipmentResult,
    TransporterQuery,
)
from domain.order.marketplace import Order
from domain.order.view import LineView, OrderRef, Transport
from domain.reasons import ReturnHandling, WaitingReason
from domain.transporters import TransporterRules

log = logging.getLogger(__name__)

# With the marketplace retry policy (1 s, doubling, at most 2 min apart):
# about six minutes of asking before the order needs attention.
NOT_VISIBLE_ATTEMPTS = 10
# The same backoff: about 26 minutes of a warehouse that does not answer.
WAREHOUSE_DELIVERY_ATTEMPTS = 20


@asynccontextmanager
async def _command_context() -> AsyncIterator[CommandContext]:
    """Resume what an earlier attempt of this activity started, and keep the
    new process id in the heartbeat so the next attempt can resume it.
    Heartbeats go out every few seconds for as long as the command runs,
    so a dead worker is noticed within the heartbeat timeout, even during
    a slow marketplace call.

    The process id rides on the next regular beat rather than a beat of its
    own: most commands end before that beat (no heartbeat, no action), and
    a retry that finds no process id asks the marketplace for the commands
    still in flight (`check_pending`), so nothing is sent twice."""
    info = activity.info()
    details = list(info.heartbeat_details)
    last: list[object] = details[:1]

    def accepted(process_id: str) -> None:
        last[:] = [process_id]

    def beat() -> None:
        activity.heartbeat(*last)

    async with heartbeating(lambda: last):
        yield CommandContext(
            resume_process_id=str(details[0]) if details else None,
            check_pending=info.attempt > 1,
            on_accepted=accepted,
            heartbeat=beat,
        )


def _earlier_details() -> list[object]:
    # Keep what an earlier attempt of the ship command left in the heartbeat.
    return list(activity.info().heartbeat_details[:1])


def _beat() -> None:
    activity.heartbeat(*_earlier_details())


class OrderActivities:
    def __init__(
        self,
        channels: Channels,
        inventory: InventoryStore,
        ledger: OrderLedger,
        rules: TransporterRules,
        notifier: StockNotifier,
        warehouse: WarehousePusher | None = None,
    ):
        self.channels = channels
        self.inventory = inventory
        self.ledger = ledger
        self.rules = rules
        self.notifier = notifier
        self.warehouse = warehouse

    # Looked up through the store each time: activities built without one (tests) still construct.
    @property
    def shipments(self) -> ShipmentsInFlight:
        return ShipmentsInFlight(self.inventory.db)

    @property
    def labels(self) -> ShippingLabels:
        return ShippingLabels(self.inventory.db)

    @activity.defn
    @unexpected_errors_need_attention
    async def accept_order(self, ref: OrderRef) -> AcceptedOrder:
        """Fetch the order from the marketplace (a push is only a hint), keep
        it in the ledger, reserve stock line by line, and hand what is to be
        picked to the warehouse, when one is configured (activities/warehouse.py)."""
        tag(ref)
        with marketplace_errors():
            order = await self._read_order(ref)
        return await self._keep_and_reserve(ref, order)

    async def accept_new(self, ref: OrderRef, read_timeout: float) -> AcceptedOrder | Order:
        """Accept an order before its workflow starts, as accept_order does,
        for intake to start it accepted (activities/order_start.py). For an
        order the ledger already holds, nothing is done and the ledger's copy
        returned: intake seeing it again (a poll after its push, a sweep, a
        restart) must not push it to the warehouse or tell offer sync again,
        nor ask the marketplace for it; its workflow runs, or accepts it
        itself. Errors are the caller's: it starts the order unaccepted."""
        with trace.get_tracer(__name__).start_as_current_span("AcceptOrder"):
            tag(ref)
            known = await self.inventory.db.run(self.ledger.order, ref.channel, ref.marketplace_order_id)
            if known is not None:
                return known
            read = self.channels[ref.channel].get_order(ref.marketplace_order_id)
            return await self._keep_and_reserve(ref, await asyncio.wait_for(read, read_timeout))

    async def _keep_and_reserve(self, ref: OrderRef, order: Order) -> AcceptedOrder:
        accepted = await self.inventory.db.run(self._accept, order)
        await self.notifier.changed(line.sku for line in accepted.lines if line.reserved and line.sku)
        if self.warehouse is not None:
            pushed = warehouse_order(order_workflow_id(ref.channel, ref.marketplace_order_id), order, accepted)
            if pushed is not None:
                try:
                    await self.warehouse.push(pushed)
                except ApplicationError as exc:
                    # Not retried here: that would read the order and signal offer sync again.
                    log.warning("warehouse push of %s left to deliver_to_warehouse: %s", ref, exc.message)
                    accepted.warehouse_delivery = pushed.idempotency_key
        return accepted

    async def _read_order(self, ref: OrderRef) -> Order:
        """A marketplace that does not show the order yet (its push outran its
        API) is asked again, with the retry policy's backoff, for a few
        minutes; then the order needs attention, resumable once it shows."""
        try:
            return await self.channels[ref.channel].get_order(ref.marketplace_order_id)
        except OrderNotVisible as exc:
            attempt = activity.info().attempt
            if attempt < NOT_VISIBLE_ATTEMPTS:
                raise
            raise BusinessError(
                f"{exc}, after {attempt} tries: resume once {ref.marketplace} shows order {ref.marketplace_order_id}"
            ) from exc

    @activity.defn
    async def deliver_to_warehouse(self, key: str) -> None:
        """The order version accept staged and could not deliver; retried
        while the warehouse is down, for about half an hour
        (WAREHOUSE_DELIVERY_ATTEMPTS), then the order needs attention: a
        silent retry every two minutes would hide an outage from ops (and
        cost an action each). A refusal needs attention at once."""
        if self.warehouse is None:
            activity.logger.warning("no warehouse configured any more: %s not delivered", key)
            return
        try:
            await self.warehouse.deliver(key)
        except ApplicationError as exc:
            attempt = activity.info().attempt
            if exc.type != NOT_ACKNOWLEDGED or attempt < WAREHOUSE_DELIVERY_ATTEMPTS:
                raise
            raise ApplicationError(
                f"the warehouse has not acknowledged the order in {attempt} tries ({exc.message}): resume it once "
                f"the warehouse is back (`ordertide orders resume --reason {WaitingReason.WAREHOUSE}`)",
                type=BUSINESS_ERROR_TYPE,
                non_retryable=True,
            ) from None

    def _accept(self, order: Order) -> AcceptedOrder:
        """The order kept in the ledger and its lines reserved in one store
        transaction: an accept that fails part-way leaves neither behind, and
        costs one commit. A concurrent accept of the same order (its push and
        a poll at once, on PostgreSQL) fails ours on a unique key; tried
        again, it finds what the other kept."""
        try:
            return self._accept_once(order)
        except IntegrityError:
            return self._accept_once(order)

    def _accept_once(self, order: Order) -> AcceptedOrder:
        with self.inventory.db.session() as s, s.begin():
            self.ledger.keep(s, order)
            lines: list[LineView] = []
            unknown: list[str] = []
            for line in order.lines:
                # A supplier portal may name an item by SKU only (no EAN).
                product = (
                    self.inventory.product_by_ean(line.ean, s)
                    if line.ean
                    else self.inventory.product_by_sku(line.sku or "", s)
                )
                view = LineView(
                    line_id=line.line_id,
                    ean=line.ean or (product.ean if product else ""),
                    sku=product.sku if product else None,
                    title=line.title,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    quantity_shipped=line.quantity_shipped,
                    quantity_cancelled=line.quantity_cancelled,
                    cancellation_requested=line.cancellation_requested,
                )
                if product is None:
                    unknown.append(line.ean or f"SKU {line.sku}")
                elif line.open_quantity > 0 and not line.cancellation_requested:
                    view.reserved = self.inventory.reserve_in(
                        s,
                        line_key(order.channel, order.marketplace_order_id, line.line_id),
                        product.sku,
                        line.open_quantity,
                        channel=order.channel,
                        order_id=order.marketplace_order_id,
                        line_id=line.line_id,
                    )
                lines.append(view)
        return AcceptedOrder(
            placed_at=order.placed_at,
            ship_by=order.ship_by,
            destination_country=order.shipping_address.country_code,
            pickup_point=order.pickup_point,
            lines=lines,
            unknown_eans=unknown,
        )

    @activity.defn
    @unexpected_errors_need_attention
    async def choose_transporter(self, query: TransporterQuery) -> str:
        try:
            return self.rules.choose(query.marketplace, query.country, query.pickup_point, query.weight_grams)
        except LookupError as exc:
            raise ApplicationError(
                f"{exc}; ship with an explicit transporter or add a rule", type=BUSINESS_ERROR_TYPE, non_retryable=True
            ) from exc

    @activity.defn
    @unexpected_errors_need_attention
    async def ship_lines(self, step: ShipInput) -> ShipmentResult:
        ref = step.order
        tag(ref)
        chosen = None
        label = await self._marketplace_label(step)
        if label is not None:
            step = step.model_copy(update={"transport": label, "choose_transporter": None})
        if step.choose_transporter is not None:
            chosen = await self.choose_transporter(step.choose_transporter)
            transport = step.transport.model_copy(update={"transporter_code": chosen})
            step = step.model_copy(update={"transport": transport, "choose_transporter": None})
        self._check_tracking(step)
        db, shipments = self.inventory.db, self.shipments
        workflow_id = activity.info().workflow_id or order_workflow_id(ref.channel, ref.marketplace_order_id)
        await db.run(shipments.started, ref.channel, ref.marketplace_order_id, workflow_id)
        try:
            with marketplace_errors():
                async with _command_context() as ctx:
                    result = await self.channels[ref.channel].ship(
                        ref.marketplace_order_id, step.lines, step.shipped_before, step.transport, step.reference, ctx
                    )
        except ApplicationError as err:
            if err.non_retryable:  # refused: not waiting any more (the order needs attention)
                await db.run(shipments.ended, ref.channel, ref.marketplace_order_id)
            raise
        shipped = {
            line_key(ref.channel, ref.marketplace_order_id, line.line_id): step.shipped_before.get(line.line_id, 0)
            + line.quantity
            for line in result.shipped
        }
        await db.run(shipments.confirmed, ref.channel, ref.marketplace_order_id, shipped)
        if label is not None and result.shipped:
            await db.run(self.labels.used, ref.channel, ref.marketplace_order_id)
        if chosen is not None:
            result.transporter_code = chosen
        if label is not None:
            result.transporter_code, result.track_and_trace = label.transporter_code, label.track_and_trace
        return result

    def _check_tracking(self, step: ShipInput) -> None:
        """Refused here, before the marketplace is called: a transporter that
        needs tracking (domain/data/transporters.toml) and none given."""
        transport, ref = step.transport, step.order
        if transport.track_and_trace or transport.shipping_label_id:
            return
        if self.rules.requires_tracking(ref.marketplace, transport.transporter_code):
            raise ApplicationError(
                f"{transport.transporter_code} needs a track-and-trace code on {ref.marketplace}: "
                "ship with --tracking (or another transporter)",
                type=BUSINESS_ERROR_TYPE,
                non_retryable=True,
            )

    async def _marketplace_label(self, step: ShipInput) -> Transport | None:
        """For a channel that ships with the marketplace's labels, the label
        for this shipment: the one in the store if an earlier attempt bought
        it, else bought now (by the channel's label rules). None when the
        seller prints its own labels, or ops gave their own tracking."""
        ref = step.order
        config = self.channels.configs.get(ref.channel)
        if getattr(config, "labels", LabelSource.OWN) is not LabelSource.MARKETPLACE or step.transport.track_and_trace:
            return None
        adapter = self.channels[ref.channel]
        if not isinstance(adapter, LabelSeller):
            return None
        labels, db = self.labels, self.inventory.db
        row = await db.run(labels.get, ref.channel, ref.marketplace_order_id)
        # A label serves one shipment: a later partial one gets its own.
        if row is None or not row.label_id or row.voided or row.used:
            rules: LabelRules = getattr(config, "label_rules", LabelRules())
            if step.choose_transporter is None and step.transport.transporter_code:
                # Ops named the transporter (`ship`): only its labels.
                rules = rules.model_copy(update={"transporters": [step.transport.transporter_code]})

            async def accepted(process_id: str) -> None:
                await db.run(labels.buying, ref.channel, ref.marketplace_order_id, process_id)

            earlier = row.process_id if row is not None and not row.label_id else None
            with marketplace_errors():
                async with heartbeating(_earlier_details):
                    bought = await adapter.buy_label(
                        ref.marketplace_order_id, step.lines, rules, earlier, accepted, _beat
                    )
            if bought is None:
                return None
            row = await db.run(labels.bought, ref.channel, ref.marketplace_order_id, bought)
        return Transport(
            transporter_code=row.transporter_code or "",
            track_and_trace=row.track_and_trace,
            shipping_label_id=row.label_id,
        )

    @activity.defn
    @unexpected_errors_need_attention
    async def change_transport(self, step: ChangeTransportInput) -> CommandResult:
        """Tracking added or corrected after shipping, where the marketplace
        takes it; refused before calling it where it does not."""
        ref = step.order
        tag(ref)
        adapter = self.channels[ref.channel]
        if not isinstance(adapter, TransportChanger):
            raise ApplicationError(
                f"{ref.marketplace} has no API to change tracking after shipping: change it in its seller portal",
                type=BUSINESS_ERROR_TYPE,
                non_retryable=True,
            )
        with marketplace_errors():
            async with _command_context() as ctx:
                return await adapter.change_transport(ref.marketplace_order_id, step.line_ids, step.transport, ctx)

    @activity.defn
    async def delivered_at(self, ref: OrderRef) -> datetime | None:
        """When the carrier delivered the order, where the marketplace passes
        its events on; None otherwise, and when it will not say (its "no" is
        no reason for the order to need attention: the transit time stands)."""
        tag(ref)
        adapter = self.channels[ref.channel]
        if not isinstance(adapter, DeliveryTracker):
            return None
        try:
            with marketplace_errors():
                return await adapter.delivered_at(ref.marketplace_order_id)
        except ApplicationError as err:
            if err.non_retryable:
                return None
            raise

    @activity.defn
    @unexpected_errors_need_attention
    async def cancel_line(self, step: CancelLineInput) -> CommandResult:
        ref = step.order
        tag(ref)
        with marketplace_errors():
            async with _command_context() as ctx:
                result = await self.channels[ref.channel].cancel_line(
                    ref.marketplace_order_id, step.line_id, step.reason, ctx
                )
        key = line_key(ref.channel, ref.marketplace_order_id, step.line_id)
        released_sku = await self.inventory.db.run(self._after_cancel, key, ref.channel, step)
        if released_sku:
            await self.notifier.changed([released_sku])
        result.note = await self._void_unused_label(ref)
        return result

    async def _void_unused_label(self, ref: OrderRef) -> str | None:
        """A label bought for a shipment that did not go out (the buyer
        cancelled just before it): voided where the marketplace allows it,
        said in the order's timeline either way, once."""
        row = await self.inventory.db.run(self.labels.get, ref.channel, ref.marketplace_order_id)
        if row is None or not row.label_id or row.used or row.voided:
            return None
        adapter = self.channels[ref.channel]
        with marketplace_errors():
            said = await adapter.void_label(row.label_id) if isinstance(adapter, LabelSeller) else None
        note = f"shipping label {row.label_id} ({row.transporter_code}, {row.track_and_trace}) not used: " + (
            said or "the marketplace cannot cancel it"
        )
        await self.inventory.db.run(self.labels.voided, ref.channel, ref.marketplace_order_id, note)
        return note

    def _after_cancel(self, key: str, channel: str, step: CancelLineInput) -> str | None:
        released = self.inventory.release(key)
        self.ledger.record_cancellation(key, channel, step.reason.value, step.reason.is_seller_fault, step.quantity)
        reservation = self.inventory.reservation(key) if released else None
        return reservation.sku if reservation else None

    @activity.defn
    @unexpected_errors_need_attention
    async def handle_return(self, step: HandleReturnInput) -> ReturnOutcome:
        ref = step.order
        tag(ref)
        with marketplace_errors():
            async with _command_context() as ctx:
                await self.channels[ref.channel].handle_return(
                    step.rma_id, step.return_id, step.handling, step.quantity, ctx, message=step.message
                )
        if not step.handling.is_final:
            return ReturnOutcome()  # the buyer was asked; stock and refund wait for the final handling
        refund = to_money(step.unit_price * step.quantity) if step.handling.refunds_buyer else None
        restock = step.resellable and step.handling is ReturnHandling.RETURN_RECEIVED
        await self.inventory.db.run(
            self.inventory.record_return,
            rma_id=step.rma_id,
            channel=ref.channel,
            line_key=line_key(ref.channel, ref.marketplace_order_id, step.line_id),
            sku=step.sku,
            quantity=step.quantity,
            handling=step.handling.value,
            restock=restock,
            refund=refund,
        )
        restocked = restock and step.sku is not None
        if restocked and step.sku is not None:  # the second test narrows the type
            await self.notifier.changed([step.sku])
        return ReturnOutcome(refund=refund, restocked=restocked)

    def all(self) -> list[Callable]:
        return [
            self.accept_order,
            self.deliver_to_warehouse,
            self.choose_transporter,
            self.ship_lines,
            self.change_transport,
            self.delivered_at,
            self.cancel_line,
            self.handle_return,
        ]
