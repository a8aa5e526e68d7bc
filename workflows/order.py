"""OrderWorkflow: one marketplace order from acceptance to close.

accept (reserve stock) → wait for "picked" → choose a transporter → ship with
tracking (the activity re-checks the buyer's cancellation request and follows
the marketplace's process status) → wait out the return window, handling
returns → close. A buyer's cancellation before shipping is confirmed and its
stock released; other lines still ship. A business error never fails the
order: it shows NeedsAttention with the marketplace's message and waits for
"resume" (or a "ship" with another transporter)."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time
from typing import TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.orders import OrderActivities
    from domain import names
    from domain.errors import BUSINESS_ERROR_TYPE
    from domain.order.commands import (
        AcceptedOrder,
        CancelLineInput,
        HandleReturnInput,
        ShipInput,
        ShipmentResult,
        TransporterQuery,
    )
    from domain.order.marketplace import ReturnNotice
    from domain.order.messages import (
        BuyerCancellationRequested,
        CancelRequest,
        OrderWorkflowInput,
        PickRequest,
        ResumeRequest,
        ReturnReceivedRequest,
        ShipRequest,
    )
    from domain.order.status import OrderStatus, Step
    from domain.order.view import LineQuantity, LineView, OrderRef, OrderView, ReturnRecord, ShipmentRecord, Transport
    from domain.reasons import CancellationReason, ReturnHandling
    from domain.sla import SLA
    from workflows import policies

T = TypeVar("T")


@workflow.defn(name=names.ORDER_WORKFLOW)
class OrderWorkflow:
    @workflow.init
    def __init__(self, order: OrderWorkflowInput) -> None:
        # Handlers can run before run(): every piece of state starts here.
        self._input = order
        self._ref = OrderRef(
            channel=order.channel, marketplace=order.marketplace, marketplace_order_id=order.marketplace_order_id
        )
        self._sla = SLA[order.marketplace]
        self._view = OrderView(
            workflow_id=workflow.info().workflow_id,
            channel=order.channel,
            marketplace=order.marketplace,
            marketplace_order_id=order.marketplace_order_id,
        )
        self._accepted = False
        self._pending_cancellations: dict[str, CancellationReason] = dict.fromkeys(
            order.cancellation_requested_line_ids, CancellationReason.REQUESTED_BY_CUSTOMER
        )
        self._parcel = PickRequest()
        self._pickup_point = False
        self._transport_override: ShipRequest | None = None
        self._shipping: set[str] = set()
        self._received_returns: list[ReturnReceivedRequest] = []
        self._flagged_returns: set[str] = set()

    # The lifecycle.

    @workflow.run
    async def run(self, order: OrderWorkflowInput) -> OrderView:
        await self._accept()
        await self._fulfil()
        if any(line.quantity_shipped for line in self._view.lines):
            self._clear_ship_by()
            await self._after_shipping()
            self._set_status(OrderStatus.CLOSED, "Nothing: the order is closed")
        else:
            self._set_status(OrderStatus.CANCELLED, "Nothing: every line was cancelled")
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._view

    async def _accept(self) -> None:
        self._set_status(OrderStatus.RECEIVED, "Accepting the order and reserving stock")
        while True:
            accepted = await self._try(Step.ACCEPT, self._accept_order)
            if accepted is not None and accepted.unknown_eans:
                eans = ", ".join(accepted.unknown_eans)
                self._needs_attention(Step.ACCEPT, f"EAN {eans} is not in the catalog: add the product, then resume")
            if accepted is not None and not accepted.unknown_eans:
                break
            await self._until_resumed(Step.ACCEPT)
        self._apply_accepted(accepted)

    def _accept_order(self) -> Awaitable[AcceptedOrder]:
        """One marketplace read and one store transaction: as a local activity
        it spares the server an activity task and the order a workflow task.
        Runs that started before this change replay it as the regular
        activity they scheduled."""
        options = {
            "start_to_close_timeout": policies.ACCEPT_TIMEOUT,
            "retry_policy": policies.MARKETPLACE_RETRY,
            "summary": "fetch the order, reserve stock",
        }
        if workflow.patched("accept-as-local-activity"):
            return workflow.execute_local_activity_method(OrderActivities.accept_order, self._ref, **options)
        return workflow.execute_activity_method(OrderActivities.accept_order, self._ref, **options)

    def _apply_accepted(self, accepted: AcceptedOrder) -> None:
        self._accepted = True
        view = self._view
        view.lines = accepted.lines
        view.placed_at = accepted.placed_at
        view.ship_by = accepted.ship_by
        view.destination_country = accepted.destination_country
        self._pickup_point = accepted.pickup_point
        known = {line.line_id for line in view.lines}
        for line_id in [l for l in self._pending_cancellations if l not in known]:
            self._note(f"ignored a cancellation request for unknown line {line_id}")
            del self._pending_cancellations[line_id]
        for line in view.lines:
            if line.open_quantity == 0:
                continue
            if line.cancellation_requested:
                self._pending_cancellations[line.line_id] = CancellationReason.REQUESTED_BY_CUSTOMER
            elif not line.reserved:
                self._pending_cancellations.setdefault(line.line_id, CancellationReason.OUT_OF_STOCK)
                self._note(f"line {line.line_id}: not enough stock, cancelling it")
        if view.ship_by:
            ship_by = datetime.combine(view.ship_by, time(23, 59, 59), tzinfo=UTC)
            workflow.upsert_search_attributes([names.SHIP_BY.value_set(ship_by)])

    async def _fulfil(self) -> None:
        while self._open_lines():
            self._set_status(OrderStatus.AWAITING_PICK, self._awaiting_pick_text())
            await workflow.wait_condition(
                lambda: not self._open_lines() or self._cancellation_ready() or self._shipment_ready()
            )
            if self._cancellation_ready():
                await self._cancel_pending()
            elif self._shipment_ready():
                await self._ship()

    async def _cancel_pending(self) -> None:
        for line_id, reason in list(self._pending_cancellations.items()):
            line = self._line(line_id)
            if line.open_quantity == 0:
                del self._pending_cancellations[line_id]
                continue
            result = await self._try(
                Step.CANCEL,
                lambda: workflow.execute_activity_method(
                    OrderActivities.cancel_line,
                    CancelLineInput(order=self._ref, line_id=line_id, reason=reason, quantity=line.open_quantity),
                    start_to_close_timeout=policies.COMMAND_TIMEOUT,
                    heartbeat_timeout=policies.HEARTBEAT,
                    retry_policy=policies.MARKETPLACE_RETRY,
                    summary=f"cancel line {line_id} ({reason})",
                ),
            )
            if result is None:
                return
            self._note(f"line {line_id}: {line.open_quantity} cancelled ({reason})")
            line.quantity_cancelled += line.open_quantity
            line.reserved = False
            del self._pending_cancellations[line_id]

    async def _ship(self) -> None:
        lines = [
            LineQuantity(line_id=line.line_id, quantity=line.unshipped_picked)
            for line in self._view.lines
            if line.unshipped_picked and line.line_id not in self._pending_cancellations
        ]
        transport = await self._transport()
        if transport is None:
            return
        self._shipping = {line.line_id for line in lines}
        self._set_status(
            OrderStatus.SHIPPING, f"Confirming the shipment with {self._ref.marketplace} ({transport.transporter_code})"
        )
        result: ShipmentResult | None = await self._try(
            Step.SHIP,
            lambda: workflow.execute_activity_method(
                OrderActivities.ship_lines,
                ShipInput(
                    order=self._ref,
                    lines=lines,
                    shipped_before={line.line_id: line.quantity_shipped for line in self._view.lines},
                    transport=transport,
                    reference=self._ref.marketplace_order_id,
                ),
                start_to_close_timeout=policies.COMMAND_TIMEOUT,
                heartbeat_timeout=policies.HEARTBEAT,
                retry_policy=policies.MARKETPLACE_RETRY,
                summary=f"ship {len(lines)} line(s) with {transport.transporter_code}",
            ),
        )
        self._shipping = set()
        if result is None:
            return
        for shipped in result.shipped:
            self._line(shipped.line_id).quantity_shipped += shipped.quantity
        for line_id in result.cancellation_requested_line_ids:
            self._line(line_id).cancellation_requested = True
            self._pending_cancellations[line_id] = CancellationReason.REQUESTED_BY_CUSTOMER
            self._note(f"line {line_id}: the buyer asked to cancel just before shipping; not shipped")
        if result.shipped:
            self._view.shipments.append(
                ShipmentRecord(
                    lines=result.shipped, transport=transport, process_id=result.process_id, confirmed_at=workflow.now()
                )
            )
            tracking = f", tracking {transport.track_and_trace}" if transport.track_and_trace else ""
            self._note(
                f"shipped {', '.join(f'{l.line_id}×{l.quantity}' for l in result.shipped)} with {transport.transporter_code}{tracking}"
            )
        self._transport_override = None

    async def _transport(self) -> Transport | None:
        override = self._transport_override
        tracking = (override and override.track_and_trace) or self._parcel.track_and_trace
        if override and override.transporter_code:
            return Transport(transporter_code=override.transporter_code, track_and_trace=tracking)
        code = await self._try(
            Step.SHIP,
            lambda: workflow.execute_local_activity_method(
                OrderActivities.choose_transporter,
                TransporterQuery(
                    marketplace=self._ref.marketplace,
                    country=self._view.destination_country or "",
                    pickup_point=self._pickup_point,
                    weight_grams=self._parcel.weight_grams,
                ),
                start_to_close_timeout=policies.LOCAL_TIMEOUT,
                summary="choose a transporter",
            ),
        )
        return Transport(transporter_code=code, track_and_trace=tracking) if code else None

    def _clear_ship_by(self) -> None:
        """Once shipped, a ship-by date no longer matters: clearing it lets ops
        find late orders with `ShipBy < now` alone.

        Orders that shipped before this change have no such command in their
        history; `patched` keeps replaying them as they ran (see README,
        "Changing workflow code safely")."""
        if workflow.patched("clear-ship-by-after-shipping"):
            workflow.upsert_search_attributes([names.SHIP_BY.value_unset()])

    async def _after_shipping(self) -> None:
        window = self._input.return_window or self._sla.return_window
        ends = self._view.shipments[-1].confirmed_at + window
        self._view.return_window_ends = ends
        while True:
            await self._handle_received_returns()
            open_returns = [r for r in self._view.returns if r.handled_at is None]
            now = workflow.now()
            if now >= ends and not open_returns:
                return
            if open_returns:
                self._set_status(
                    OrderStatus.RETURN_OPEN,
                    f"The warehouse to receive return(s) {', '.join(r.rma_id for r in open_returns)}",
                )
            else:
                self._set_status(OrderStatus.SHIPPED, f"The return window to close on {ends:%Y-%m-%d %H:%M} UTC")
            deadlines = [ends] if now < ends else []
            deadlines += [
                r.announced_at + self._sla.return_handling
                for r in open_returns
                if r.rma_id not in self._flagged_returns
            ]
            wake = min(deadlines) if deadlines else None
            announced = len(self._view.returns)
            ready = lambda: self._return_ready() or len(self._view.returns) != announced  # noqa: E731
            if wake is None:
                await workflow.wait_condition(ready)
            elif wake > now:
                try:
                    await workflow.wait_condition(
                        ready, timeout=wake - now, timeout_summary="return window / return SLA"
                    )
                except TimeoutError:
                    pass
            self._flag_late_returns()

    async def _handle_received_returns(self) -> None:
        while self._return_ready():
            request = self._received_returns[0]
            record = self._return_for(request)
            line = self._find_line(record.line_id or "")
            if line is None:
                self._received_returns.pop(0)
                self._needs_attention(
                    Step.RETURN, f"return {record.rma_id} ({record.ean}) matches no line of this order"
                )
                continue
            quantity = request.quantity or record.quantity
            handling = (
                ReturnHandling.RETURN_RECEIVED
                if request.meets_conditions
                else ReturnHandling.RETURN_DOES_NOT_MEET_CONDITIONS
            )
            outcome = await self._try(
                Step.RETURN,
                lambda: workflow.execute_activity_method(
                    OrderActivities.handle_return,
                    HandleReturnInput(
                        order=self._ref,
                        rma_id=record.rma_id,
                        return_id=record.return_id,
                        line_id=line.line_id,
                        sku=line.sku,
                        quantity=quantity,
                        handling=handling,
                        resellable=request.resellable,
                        unit_price=line.unit_price,
                    ),
                    start_to_close_timeout=policies.COMMAND_TIMEOUT,
                    heartbeat_timeout=policies.HEARTBEAT,
                    retry_policy=policies.MARKETPLACE_RETRY,
                    summary=f"handle return {record.rma_id} ({handling})",
                ),
            )
            if outcome is None:
                return
            self._received_returns.pop(0)
            record.handling = handling
            record.resellable = request.resellable
            record.refund = outcome.refund
            record.handled_at = workflow.now()
            line.quantity_returned += quantity
            self._flagged_returns.discard(record.rma_id)
            if not self._flagged_returns:
                self._clear_attention(Step.LATE_RETURN)
            refund = f", refund {outcome.refund}" if outcome.refund is not None else ""
            restock = ", back in stock" if outcome.restocked else ""
            self._note(f"return {record.rma_id}: {handling}{refund}{restock}")

    def _flag_late_returns(self) -> None:
        now = workflow.now()
        for record in self._view.returns:
            late = record.handled_at is None and now >= record.announced_at + self._sla.return_handling
            if late and record.rma_id not in self._flagged_returns:
                self._flagged_returns.add(record.rma_id)
                self._needs_attention(
                    Step.LATE_RETURN,
                    f"return {record.rma_id} was announced {record.announced_at:%Y-%m-%d %H:%M} UTC and is not handled "
                    f"within the marketplace's {self._sla.return_handling} SLA",
                )

    # Messages from the marketplace (via intake) and from other services.

    @workflow.signal(name=names.SIGNAL_BUYER_CANCELLATION)
    def buyer_cancellation_requested(self, request: BuyerCancellationRequested) -> None:
        # Before acceptance the lines are unknown; _apply_accepted sorts them out.
        for line_id in request.line_ids:
            line = self._find_line(line_id)
            if self._accepted and line is None:
                self._note(f"ignored a cancellation request for unknown line {line_id}")
                continue
            if line is not None:
                line.cancellation_requested = True
            if line is None or line.open_quantity:
                self._pending_cancellations[line_id] = CancellationReason.REQUESTED_BY_CUSTOMER

    @workflow.signal(name=names.SIGNAL_RETURN_ANNOUNCED)
    def return_announced(self, notice: ReturnNotice) -> None:
        if any(r.rma_id == notice.rma_id for r in self._view.returns):
            return
        line_id = notice.line_id or next((l.line_id for l in self._view.lines if l.ean == notice.ean), None)
        self._view.returns.append(
            ReturnRecord(
                rma_id=notice.rma_id,
                return_id=notice.return_id,
                line_id=line_id,
                ean=notice.ean,
                quantity=notice.quantity,
                reason=notice.reason,
                announced_at=workflow.now(),
            )
        )
        self._note(f"the buyer announced return {notice.rma_id} ({notice.quantity}× {notice.ean}): {notice.reason}")

    @workflow.update(name=names.UPDATE_PICK)
    def pick(self, request: PickRequest) -> str:
        for picked in request.lines or [
            LineQuantity(line_id=l.line_id, quantity=l.open_quantity) for l in self._view.lines if l.open_quantity
        ]:
            line = self._line(picked.line_id)
            line.quantity_picked = min(line.quantity - line.quantity_cancelled, line.quantity_picked + picked.quantity)
        self._parcel = request
        return "picked; shipping follows"

    @pick.validator
    def _validate_pick(self, request: PickRequest) -> None:
        self._require_accepted("pick")
        if not self._open_lines():
            raise ValueError(f"order is {self._view.status}: no open lines left to pick")
        for picked in request.lines:
            line = self._known_line(picked.line_id)
            if picked.quantity < 1 or picked.quantity > line.open_quantity - line.unshipped_picked:
                raise ValueError(
                    f"line {picked.line_id}: can pick 1..{line.open_quantity - line.unshipped_picked}, not {picked.quantity}"
                )

    @workflow.update(name=names.UPDATE_SHIP)
    def ship(self, request: ShipRequest) -> str:
        self._transport_override = request
        for line in self._view.lines:
            line.quantity_picked = max(line.quantity_picked, line.quantity - line.quantity_cancelled)
        self._clear_attention(Step.SHIP)
        return "shipping"

    @ship.validator
    def _validate_ship(self, request: ShipRequest) -> None:
        self._require_accepted("ship")
        if not self._open_lines():
            raise ValueError(f"order is {self._view.status}: nothing left to ship")
        if self._shipping:
            raise ValueError("a shipment is being confirmed right now; wait for it")

    @workflow.update(name=names.UPDATE_CANCEL)
    def cancel(self, request: CancelRequest) -> str:
        line_ids = request.line_ids or [l.line_id for l in self._view.lines if l.open_quantity]
        for line_id in line_ids:
            self._pending_cancellations[line_id] = request.reason
        return f"cancelling {', '.join(line_ids)}"

    @cancel.validator
    def _validate_cancel(self, request: CancelRequest) -> None:
        self._require_accepted("cancel")
        line_ids = request.line_ids or [l.line_id for l in self._view.lines if l.open_quantity]
        if not line_ids:
            raise ValueError(f"order is {self._view.status}: nothing left to cancel")
        for line_id in line_ids:
            if not self._known_line(line_id).open_quantity:
                raise ValueError(f"line {line_id} is already shipped or cancelled")
            if line_id in self._shipping:
                raise ValueError(f"line {line_id} is being shipped right now")

    @workflow.update(name=names.UPDATE_RETURN_RECEIVED)
    def return_received(self, request: ReturnReceivedRequest) -> str:
        self._received_returns.append(request)
        return f"handling return {self._return_for(request).rma_id}"

    @return_received.validator
    def _validate_return_received(self, request: ReturnReceivedRequest) -> None:
        if self._view.status not in (OrderStatus.SHIPPED, OrderStatus.RETURN_OPEN):
            raise ValueError(
                f"order is {self._view.status}: returns are handled after shipping, within the return window"
            )
        record = self._return_for(request)
        quantity = request.quantity or record.quantity
        if quantity < 1 or quantity > record.quantity:
            raise ValueError(f"return {record.rma_id}: quantity must be 1..{record.quantity}")

    @workflow.update(name=names.UPDATE_RESUME)
    def resume(self, request: ResumeRequest) -> str:
        steps = ", ".join(self._view.attention)
        self._note(f"resumed by ops ({steps}){': ' + request.note if request.note else ''}")
        # Late returns stay flagged: resuming acknowledges them, handling clears them.
        self._view.attention.clear()
        self._sync_attention()
        return f"resumed {steps}"

    @resume.validator
    def _validate_resume(self, request: ResumeRequest) -> None:
        if not self._view.attention:
            raise ValueError(f"order is {self._view.status} and does not need attention")

    @workflow.query(name=names.QUERY_VIEW)
    def view(self) -> OrderView:
        return self._view

    # Helpers.

    async def _try(self, step: Step, run: Callable[[], Awaitable[T]]) -> T | None:
        """Run one step. A business error marks the order NeedsAttention and
        returns None; the caller decides when to try again."""
        try:
            result = await run()
        except ActivityError as err:
            cause = err.cause
            if isinstance(cause, ApplicationError) and cause.type == BUSINESS_ERROR_TYPE:
                self._needs_attention(step, cause.message)
                return None
            raise
        self._clear_attention(step)
        return result

    async def _until_resumed(self, step: Step) -> None:
        await workflow.wait_condition(lambda: step not in self._view.attention)

    def _needs_attention(self, step: Step, reason: str) -> None:
        self._view.attention[step] = reason
        self._note(f"needs attention ({step}): {reason}")
        self._sync_attention()

    def _clear_attention(self, step: Step) -> None:
        if self._view.attention.pop(step, None) is not None:
            self._sync_attention()

    def _sync_attention(self) -> None:
        needs = bool(self._view.attention)
        if needs != self._view.needs_attention:
            self._view.needs_attention = needs
            workflow.upsert_search_attributes([names.NEEDS_ATTENTION.value_set(needs)])
        self._show_details()

    def _set_status(self, status: OrderStatus, waiting_for: str) -> None:
        if status != self._view.status:
            self._view.status = status
            workflow.upsert_search_attributes([names.ORDER_STATUS.value_set(status.value)])
        self._view.waiting_for = waiting_for
        self._show_details()

    def _show_details(self) -> None:
        view = self._view
        lines = [f"**{view.status}** — waiting for: {view.waiting_for}"]
        lines += [
            f"⚠ needs attention ({step}): {reason} — fix, then `resume`" for step, reason in view.attention.items()
        ]
        workflow.set_current_details("\n\n".join(lines))

    def _note(self, text: str) -> None:
        self._view.history.append(f"{workflow.now():%Y-%m-%d %H:%M:%S} {text}")

    def _open_lines(self) -> list[LineView]:
        return [line for line in self._view.lines if line.open_quantity]

    def _cancellation_ready(self) -> bool:
        return Step.CANCEL not in self._view.attention and any(
            self._line(line_id).open_quantity for line_id in self._pending_cancellations
        )

    def _shipment_ready(self) -> bool:
        return Step.SHIP not in self._view.attention and any(
            line.unshipped_picked and line.line_id not in self._pending_cancellations for line in self._view.lines
        )

    def _return_ready(self) -> bool:
        return bool(self._received_returns) and Step.RETURN not in self._view.attention

    def _awaiting_pick_text(self) -> str:
        open_lines = self._open_lines()
        ship_by = f" (ship by {self._view.ship_by})" if self._view.ship_by else ""
        return f"The warehouse to pick {len(open_lines)} line(s){ship_by}"

    def _find_line(self, line_id: str) -> LineView | None:
        return next((line for line in self._view.lines if line.line_id == line_id), None)

    def _line(self, line_id: str) -> LineView:
        line = self._find_line(line_id)
        if line is None:
            # Only reachable through a bug: every id here was checked on arrival.
            raise ApplicationError(f"order {self._ref.marketplace_order_id} has no line {line_id}", non_retryable=True)
        return line

    def _known_line(self, line_id: str) -> LineView:
        """For validators: a readable rejection instead of a failed workflow."""
        line = self._find_line(line_id)
        if line is None:
            raise ValueError(f"order has no line {line_id}; lines: {', '.join(l.line_id for l in self._view.lines)}")
        return line

    def _require_accepted(self, action: str) -> None:
        if not self._accepted:
            raise ValueError(f"cannot {action} yet: the order is still being accepted")
        if self._view.status in (OrderStatus.CLOSED, OrderStatus.CANCELLED):
            raise ValueError(f"cannot {action}: the order is {self._view.status}")

    def _return_for(self, request: ReturnReceivedRequest) -> ReturnRecord:
        for record in self._view.returns:
            if record.handled_at is not None or any(
                r.rma_id == record.rma_id for r in self._received_returns if r is not request
            ):
                continue
            if request.rma_id and record.rma_id == request.rma_id:
                return record
            if not request.rma_id and (request.line_id is None or record.line_id == request.line_id):
                return record
        known = ", ".join(r.rma_id for r in self._view.returns if r.handled_at is None) or "none"
        raise ValueError(
            f"no open return matches (rma {request.rma_id}, line {request.line_id}); open returns: {known}"
        )
