"""OrderWorkflow: one marketplace order from acceptance to close.

accept (reserve stock) → wait for "picked" → choose a transporter → ship with
tracking (the activity re-checks the buyer's cancellation request and follows
the marketplace's process status) → wait out the return window, handling
returns → close. A buyer's cancellation before shipping is confirmed and its
stock released; other lines still ship. A business error never fails the
order: it shows NeedsAttention with the marketplace's message and waits for
"resume" (or a "ship" with another transporter).

The rules live in domain.order.state (OrderState); this class decides when
they run and which activities, timers and search attributes go with them."""

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import suppress
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import SearchAttributeKey, SearchAttributeUpdate
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    # Not `from workflows import policies`: that form loads the module again
    # for every instance (tests/replay/test_instance_imports.py).
    import workflows.policies as policies
    from activities.orders import OrderActivities
    from domain import names
    from domain.alerts.messages import AlertsChanged
    from domain.errors import BUSINESS_ERROR_TYPE, UNEXPECTED_ERROR_TYPE
    from domain.order.aftersales import TicketsOverdue
    from domain.order.commands import AcceptedOrder, ShipmentResult
    from domain.order.marketplace import ReturnNotice
    from domain.order.messages import (
        BuyerCancellationRequested,
        CancelRequest,
        ConfirmRequest,
        OrderWorkflowInput,
        PickRequest,
        ResumeRequest,
        ReturnReceivedRequest,
        ShipRequest,
        TrackingRequest,
    )
    from domain.order.return_sla import ReturnsOverdue
    from domain.order.state import OrderState, UnknownLine, unknown_eans_problem
    from domain.order.status import OrderStatus, Step
    from domain.order.view import OrderView, Transport

P = TypeVar("P")
R = TypeVar("R")


def _done() -> "asyncio.Future[None]":
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    future.set_result(None)
    return future


def _timer(at: datetime | None, summary: str) -> "asyncio.Future[None]":
    """A durable timer running on its own until `at` (none, already done, for a past or no time)."""
    if at is None or at <= workflow.now():
        return _done()
    return asyncio.ensure_future(workflow.sleep(at - workflow.now(), summary=summary))


def _any(*conditions: Callable[[], bool]) -> bool:
    return any(condition() for condition in conditions)


def _never() -> bool:
    return False


# Orders started before it run the code of their time; see OrderWorkflow._lean.
FEWER_ACTIONS = "fewer-actions"
# Issue 11: the clocks that run as the marketplace's do (a return's SLA from
# its registration there; the return window from the expected delivery, on the
# same single timer, only longer). Checked in the same first workflow task as
# FEWER_ACTIONS, whose marker that task records anyway: no extra action.
MARKETPLACE_CLOCKS = "marketplace-clocks"
# Issue 12: a return's handling SLA is watched by intake's returns poll, which
# signals `returns_overdue` only for a return still open past it; the order
# starts no SLA timer (one action less per return handled in time). Checked in
# the same first workflow task as FEWER_ACTIONS: no extra action.
RETURN_SLA_FROM_INTAKE = "return-sla-from-intake"
# Issue 11: when the return window's timer ends, the carrier's delivery event
# (where the marketplace passes it on) may show a later delivery than the
# transit time expected: the window then runs on from it. Checked in the same
# first workflow task as the patches above.
DELIVERY_EVENTS = "delivery-events"
_KEYS: dict[str, SearchAttributeKey[Any]] = {key.name: key for key in names.SEARCH_ATTRIBUTES}


# An unknown line id past the validators is a bug: it fails the order rather
# than retrying the workflow task forever (see UnknownLine).
@workflow.defn(name=names.ORDER_WORKFLOW, failure_exception_types=[UnknownLine])
class OrderWorkflow:
    @workflow.init
    def __init__(self, order: OrderWorkflowInput) -> None:
        # Handlers can run before run(): every piece of state starts here.
        self._state = OrderState(order, workflow.info().workflow_id, clock=workflow.now)
        # Search attributes as Temporal holds them: those given at start are free.
        self._published: dict[str, object] = {
            pair.key.name: pair.value for pair in workflow.info().typed_search_attributes
        }
        self._lean = False
        self._accept_as_activity = False
        self._sla_from_intake = False
        self._delivery_events = False

    # The lifecycle.

    @workflow.run
    async def run(self, order: OrderWorkflowInput) -> OrderView:
        # Issue 12: every billable action counts. Orders started since publish
        # their search attributes once per rest point (one upsert carrying
        # every change, no transient status), wait out the return window on
        # one timer, and record no other patch marker. This patch's marker
        # shares the first workflow task with accept's local activity marker,
        # so it costs nothing; orders started before it replay the old code.
        if order.code_version >= 1:
            # Told by the start (OrderWorkflowInput.code_version): no marker,
            # so no marker workflow task, when intake started it accepted.
            self._lean = self._sla_from_intake = self._delivery_events = True
            self._state.marketplace_clocks = True
            self._accept_as_activity = order.code_version >= 2
        else:
            self._lean = workflow.patched(FEWER_ACTIONS)
            self._state.marketplace_clocks = self._lean and workflow.patched(MARKETPLACE_CLOCKS)
            self._sla_from_intake = self._lean and workflow.patched(RETURN_SLA_FROM_INTAKE)
            self._delivery_events = self._state.marketplace_clocks and workflow.patched(DELIVERY_EVENTS)
        if order.reopened is None:
            await self._accept(order.accepted)
            await self._fulfil()
            self._drop_moot_attention()
        else:
            # Only runs intake starts for a return after close take this
            # branch; no earlier history has it, so no patch is needed.
            self._state.reopen(order.reopened)
        if self._state.shipped_anything():
            self._clear_ship_by()
            await self._after_shipping()
            await self._manual_steps_done()
            self._set_status(OrderStatus.CLOSED, "Nothing: the order is closed")
        else:
            await self._manual_steps_done()
            self._set_status(OrderStatus.CANCELLED, "Nothing: every line was cancelled")
        self._publish()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._state.view

    async def _accept(self, at_start: AcceptedOrder | None) -> None:
        """Intake's acceptance before the start (orders it starts since code
        version 1) counts as the first attempt: a problem with it (unknown
        EANs) flags the order, and accepting again once resumed is the
        workflow's, as for orders started unaccepted."""
        self._set_status(OrderStatus.RECEIVED, "Accepting the order and reserving stock")
        accepted = at_start
        if accepted is not None and (problem := unknown_eans_problem(accepted)):
            self._state.flag(Step.ACCEPT, problem)
            self._show()
            await self._rest(lambda: not self._state.flagged(Step.ACCEPT))
            accepted = None
        while accepted is None:
            if (accepted := await self._attempt(Step.ACCEPT, self._accept_order(), unknown_eans_problem)) is None:
                await self._rest(lambda: not self._state.flagged(Step.ACCEPT))
        self._state.apply_accepted(accepted)
        if self._lean:
            pass  # ShipBy goes out with the status, at the first rest point
        elif ship_by := self._state.ship_by_deadline():
            workflow.upsert_search_attributes([names.SHIP_BY.value_set(ship_by)])
        if accepted.warehouse_delivery:
            await self._deliver_to_warehouse(accepted.warehouse_delivery)

    async def _deliver_to_warehouse(self, key: str) -> None:
        """Accept pushed the order to the warehouse, which did not acknowledge
        it: retried here, without reading the order again, until it does.
        A warehouse that refuses the order, or stays down for about half an
        hour, flags it; resuming tries again. Only such orders run it;
        histories recorded before it never have a delivery pending, and
        none recorded a delivery that gave up (it retried without end), so
        they replay unchanged without a patch."""
        self._set_status(OrderStatus.RECEIVED, "The warehouse to acknowledge the order (the push is retried)")
        self._publish()  # the push may be retried for long: ops see where the order is
        while await self._attempt(Step.WAREHOUSE, self._delivered(key)) is None:
            await self._rest(lambda: not self._state.flagged(Step.WAREHOUSE))

    async def _delivered(self, key: str) -> bool:
        await workflow.execute_activity_method(
            OrderActivities.deliver_to_warehouse,
            key,
            start_to_close_timeout=policies.ACCEPT_TIMEOUT,
            retry_policy=policies.MARKETPLACE_RETRY,
            summary="push the order to the warehouse",
        )
        return True

    async def _accept_order(self) -> AcceptedOrder:
        """One marketplace read and one store transaction, for an order intake
        could not accept before its start. Since code version 2 an activity:
        as a local activity it held the workflow task open for the read and
        the transaction, and under a burst every workflow task over 1 s was
        one of these (`bench burst`, `slow_tasks_accepting`). Same actions
        (an activity attempt for the marker task), one workflow task more.
        Runs started before replay what they ran: a local activity since
        `accept-as-local-activity` (and in code version 1), else an activity."""
        local = not self._accept_as_activity and (self._lean or workflow.patched("accept-as-local-activity"))
        execute = workflow.execute_local_activity_method if local else workflow.execute_activity_method
        return await execute(
            OrderActivities.accept_order,
            self._state.ref,
            start_to_close_timeout=policies.ACCEPT_TIMEOUT,
            retry_policy=policies.MARKETPLACE_RETRY,
            summary="fetch the order, reserve stock",
        )

    async def _fulfil(self) -> None:
        """Until every line is shipped or cancelled. A flagged cancellation or
        shipment is retried here once resumed (or shipped with another
        transporter); meanwhile the other one goes on."""
        state = self._state
        while state.open_lines():
            self._set_status(OrderStatus.AWAITING_PICK, state.awaiting_pick_text())
            await self._rest(lambda: not state.open_lines() or state.cancellation_ready() or state.shipment_ready())
            if state.cancellation_ready():
                await self._cancel_pending()
            elif state.shipment_ready():
                await self._ship()

    def _drop_moot_attention(self) -> None:
        """Every line is shipped or cancelled: a flag asking ops to fix a
        shipment or a cancellation asks for something no longer possible (the
        buyer cancelled the line whose shipment had failed). Orders that ended
        before this change replay as they ran; only affected orders pay for
        the marker."""
        moot = self._state.moot_flags()
        if moot and (self._lean or workflow.patched("drop-moot-attention")):
            self._state.drop_flags(moot)
            self._show()

    async def _cancel_pending(self) -> None:
        for command in self._state.cancellations():
            summary = f"cancel line {command.line_id} ({command.reason})"
            result = await self._attempt(Step.CANCEL, self._command(OrderActivities.cancel_line, command, summary))
            if result is None:
                return  # needs attention: _fulfil retries once resumed; other lines still ship
            self._state.cancelled(command.line_id, command.reason)
            if result.note:  # the timeline only: no command, replay-safe without a patch
                self._state.note(result.note)
            if result.manual_step:
                # The marketplace has no API for it (a supplier portal updated
                # by hand): ops do it and confirm; the order does not close before.
                self._state.await_manual(Step.PORTAL_CANCEL, command.line_id, result.manual_step)
                self._show()

    async def _manual_steps_done(self) -> None:
        """Orders without a manual step (every order before they existed)
        pass straight through: no command, nothing to patch."""
        if self._state.manual_steps_open():
            self._set_status(
                self._state.view.status, "ops to do the manual step on the portal and confirm it (see below)"
            )
            # Resting: the manual step's NeedsAttention is published meanwhile.
            await self._rest(lambda: not self._state.manual_steps_open())

    async def _ship(self) -> None:
        """With ops' transporter from `ship`, else the rules' choice.

        The lines are marked as shipping before the first await, so a cancel
        arriving while the transporter is chosen is refused rather than
        answered "cancelling" and shipped anyway. Only validators read the
        mark, and they do not run on replay: no command changes, no patch."""
        state = self._state
        if self._lean:
            await self._ship_choosing_in_the_command()
            return
        lines, tracking = state.start_shipment(), state.tracking()
        try:
            code = state.chosen_transporter() or await self._attempt(
                Step.SHIP,
                workflow.execute_local_activity_method(
                    OrderActivities.choose_transporter,
                    state.transporter_query(),
                    start_to_close_timeout=policies.LOCAL_TIMEOUT,
                    summary="choose a transporter",
                ),
            )
            if not code:
                return
            transport = Transport(transporter_code=code, track_and_trace=tracking)
            self._set_status(OrderStatus.SHIPPING, f"Confirming the shipment with {state.ref.marketplace} ({code})")
            summary = f"ship {len(lines)} line(s) with {code}"
            result = await self._attempt(
                Step.SHIP, self._command(OrderActivities.ship_lines, state.ship_input(lines, transport), summary)
            )
        finally:
            state.finish_shipment()
        if result is not None:
            state.apply_shipment(result, _with_label(transport, result))

    async def _ship_choosing_in_the_command(self) -> None:
        """As _ship, with the rules' transporter chosen by the ship command
        itself: no local activity, so no marker and no workflow task of its
        own (issue 12). "No rule" is the command's business error: the order
        needs attention until ops `ship` with a transporter."""
        state = self._state
        lines, tracking = state.start_shipment(), state.tracking()
        try:
            code = state.chosen_transporter()
            shipment = state.ship_input(lines, Transport(transporter_code=code or "", track_and_trace=tracking))
            if code is None:
                shipment.choose_transporter = state.transporter_query()
            by = code or "transporter by the rules"
            self._set_status(OrderStatus.SHIPPING, f"Confirming the shipment with {state.ref.marketplace} ({by})")
            summary = f"ship {len(lines)} line(s) with {by}"
            result = await self._attempt(Step.SHIP, self._command(OrderActivities.ship_lines, shipment, summary))
        finally:
            state.finish_shipment()
        if result is not None:
            chosen = result.transporter_code or shipment.transport.transporter_code
            transport = shipment.transport.model_copy(update={"transporter_code": chosen})
            state.apply_shipment(result, _with_label(transport, result))

    def _clear_ship_by(self) -> None:
        """Once shipped, a ship-by date no longer matters: clearing it lets ops
        find late orders with `ShipBy < now` alone.

        Orders that shipped before this change have no such command in their
        history; `patched` keeps replaying them as they ran (see README,
        "Changing workflow code safely")."""
        if self._lean:
            return  # published with the status (OrderState.search_attributes)
        if workflow.patched("clear-ship-by-after-shipping"):
            workflow.upsert_search_attributes([names.SHIP_BY.value_unset()])

    async def _after_shipping(self) -> None:
        """Until the return window has ended and no return is open. Wakes for
        news (a return announced or received), the window's end and each open
        return's handling SLA, which flags it late."""
        if self._lean:
            await self._after_shipping_on_one_timer()
            return
        state = self._state
        ends = state.open_return_window()
        while True:
            await self._handle_received_returns()
            now = workflow.now()
            if now >= ends and not state.open_returns():
                return
            self._set_status(*state.after_shipping_status(ends))
            wake = state.next_deadline(now, ends)
            news = partial(state.news, len(state.view.returns))
            if wake is None or wake > now:
                timeout = None if wake is None else wake - now  # a timer only for a deadline
                with suppress(TimeoutError):
                    await workflow.wait_condition(news, timeout=timeout, timeout_summary="return window / return SLA")
            state.flag_late_returns()
            self._show()

    async def _after_shipping_on_one_timer(self) -> None:
        """The return window runs on one timer, started once: news (a return
        announced or received) no longer cancels and restarts it. The
        earliest handling SLA of an open return gets a timer of its own, only
        while one runs and only anew when that deadline changes; since
        RETURN_SLA_FROM_INTAKE none does: intake's `returns_overdue` says when
        a return is late (and any wake past its SLA flags it too)."""
        state = self._state
        ends = state.open_return_window()
        window = _timer(ends, "return window")
        sla, sla_at = _done(), None
        # A window of the channel's own (benchmarks, tests) has delivery in it.
        delivery_checked = (
            not (self._delivery_events and state.sla.delivery_events and state.follow_delivery_events)
            or state.return_window_given
        )
        try:
            while True:
                await self._handle_received_returns()
                now = workflow.now()
                if now >= ends and not state.open_returns():
                    if delivery_checked:
                        return
                    delivery_checked = True
                    later = await self._delivered_later()
                    if later is None or later <= now:
                        return
                    ends = later
                    window.cancel()
                    window = _timer(ends, "return window from the delivery")
                    self._show()
                    continue
                self._set_status(*state.after_shipping_status(ends))
                due = None if self._sla_from_intake else state.return_sla_deadline()
                if due != sla_at:
                    sla.cancel()
                    sla, sla_at = _timer(due, "return SLA"), due
                if due is None or due > now:
                    await self._rest(
                        partial(
                            _any,
                            partial(state.news, len(state.view.returns)),
                            # A timer wakes the order once; after, only news does.
                            _never if window.done() else window.done,
                            _never if sla.done() else sla.done,
                        )
                    )
                state.flag_late_returns()
                self._show()
        finally:
            window.cancel()
            sla.cancel()

    async def _delivered_later(self) -> datetime | None:
        """The window's end as the carrier's delivery sets it, when later than
        expected; None when it is not, or the marketplace cannot say in a day."""
        try:
            delivered = await workflow.execute_activity_method(
                OrderActivities.delivered_at,
                self._state.ref,
                start_to_close_timeout=policies.ACCEPT_TIMEOUT,
                schedule_to_close_timeout=timedelta(days=1),
                retry_policy=policies.MARKETPLACE_RETRY,
                summary="read the carrier's delivery",
            )
        except ActivityError:
            return None
        return self._state.window_from_delivery(delivered) if delivered else None

    async def _handle_received_returns(self) -> None:
        while self._state.return_ready():
            command = self._state.next_return()
            if command is None:
                self._show()  # it matched no line: flagged for ops
                continue
            summary = f"handle return {command.rma_id} ({command.handling})"
            outcome = await self._attempt(Step.RETURN, self._command(OrderActivities.handle_return, command, summary))
            if outcome is None:
                return  # needs attention: _after_shipping retries once resumed; the window runs on
            self._state.return_handled(command, outcome)
            self._show()

    # Messages from the marketplace (via intake) and from other services.

    @workflow.signal(name=names.SIGNAL_BUYER_CANCELLATION)
    def buyer_cancellation_requested(self, request: BuyerCancellationRequested) -> None:
        self._state.buyer_cancellation(request.line_ids)

    @workflow.signal(name=names.SIGNAL_RETURN_ANNOUNCED)
    def return_announced(self, notice: ReturnNotice) -> None:
        self._state.announce_return(notice)

    @workflow.signal(name=names.SIGNAL_RETURNS_OVERDUE)
    def returns_overdue(self, notice: ReturnsOverdue) -> None:
        """From intake's returns poll: returns still open on the marketplace
        past its handling SLA. Histories from before it never received one."""
        self._state.returns_overdue(notice.rma_ids)
        self._show()

    @workflow.signal(name=names.SIGNAL_TICKETS_OVERDUE)
    def tickets_overdue(self, notice: TicketsOverdue) -> None:
        """A buyer's message waits too long (or is answered now). Only orders
        whose buyers wait get it, from intake's poll of the marketplace's
        tickets; histories from before it never received one."""
        self._state.tickets_overdue(notice)
        self._show()

    @workflow.signal(name=names.SIGNAL_ALERTS_CHANGED)
    def alerts_changed(self, change: AlertsChanged) -> None:
        """From the alert evaluation, only when this order's alerts change."""
        self._state.view.alerts = change.alerts
        self._show()

    @workflow.update(name=names.UPDATE_PICK)
    def pick(self, request: PickRequest) -> str:
        self._state.pick(request)
        return "picked; shipping follows"

    @pick.validator
    def _validate_pick(self, request: PickRequest) -> None:
        self._state.validate_pick(request)

    @workflow.update(name=names.UPDATE_SHIP)
    def ship(self, request: ShipRequest) -> str:
        self._state.ship_now(request)
        self._show()
        return "shipping"

    @ship.validator
    def _validate_ship(self, request: ShipRequest) -> None:
        self._state.validate_ship()

    @workflow.update(name=names.UPDATE_TRACKING)
    async def tracking(self, request: TrackingRequest) -> str:
        """Tracking added or corrected after shipping. The update runs the
        marketplace command itself and answers with its outcome; a refusal
        fails the update (ops read why at once) and is noted in the timeline,
        never the order. Orders from before it never received one: their
        histories replay unchanged without a patch."""
        command = self._state.tracking_change(request)
        summary = f"tracking {command.transport.track_and_trace} for {', '.join(command.line_ids)}"
        try:
            result = await self._command(OrderActivities.change_transport, command, summary)
        except ActivityError as err:
            cause = err.cause
            reason = cause.message if isinstance(cause, ApplicationError) else str(err)
            self._state.tracking_refused(reason)
            self._show()
            raise ApplicationError(f"tracking not changed: {reason}", non_retryable=True) from err
        self._state.tracking_changed(command, result.note)
        self._show()
        return f"tracking {command.transport.transporter_code} {command.transport.track_and_trace} sent"

    @tracking.validator
    def _validate_tracking(self, request: TrackingRequest) -> None:
        self._state.validate_tracking(request)

    @workflow.update(name=names.UPDATE_CANCEL)
    def cancel(self, request: CancelRequest) -> str:
        return f"cancelling {', '.join(self._state.request_cancel(request))}"

    @cancel.validator
    def _validate_cancel(self, request: CancelRequest) -> None:
        self._state.validate_cancel(request)

    @workflow.update(name=names.UPDATE_RETURN_RECEIVED)
    def return_received(self, request: ReturnReceivedRequest) -> str:
        """Bound to its return on receipt; before `bind-returns-on-receipt`,
        when handled. The two differ only when a parcel arrives while another
        waits: only such orders pay for the marker, and those from before it
        keep the old matching (which now flags, not fails, a parcel matching
        nothing)."""
        if self._state.received_returns and not (self._lean or workflow.patched("bind-returns-on-receipt")):
            self._state.bind_returns_on_receipt = False
        return self._state.receive_return(request)

    @return_received.validator
    def _validate_return_received(self, request: ReturnReceivedRequest) -> None:
        self._state.validate_return_received(request)

    @workflow.update(name=names.UPDATE_RESUME)
    def resume(self, request: ResumeRequest) -> str:
        steps = self._state.resume(request.note)
        self._show()
        return f"resumed {steps}"

    @resume.validator
    def _validate_resume(self, request: ResumeRequest) -> None:
        self._state.validate_resume()

    @workflow.update(name=names.UPDATE_CONFIRM)
    def confirm(self, request: ConfirmRequest) -> str:
        answer = self._state.confirm(request)
        self._show()
        return answer

    @confirm.validator
    def _validate_confirm(self, request: ConfirmRequest) -> None:
        self._state.validate_confirm(request)

    @workflow.query(name=names.QUERY_VIEW)
    def view(self) -> OrderView:
        return self._state.view

    # The attention loop and what ops see.

    async def _attempt(
        self, step: Step, activity: Awaitable[R], problem: Callable[[R], str | None] | None = None
    ) -> R | None:
        """Run one step. A business error (the marketplace's "no", or a
        `problem` with the result) flags the step NeedsAttention and returns
        None. The caller's loop retries once the flag is cleared (resume, or
        `ship`) and meanwhile goes on: a stuck cancellation does not hold up
        other lines' shipment, a stuck return not the return window."""
        reason: str | None
        try:
            result = await activity
        except ActivityError as err:
            cause = err.cause
            if not isinstance(cause, ApplicationError) or not self._needs_attention(cause, local=False):
                raise
            reason = cause.message
        except ApplicationError as err:
            # A local activity's failure arrives unwrapped (accept, the
            # transporter choice).
            if not self._needs_attention(err, local=True):
                raise
            reason = err.message
        else:
            self._state.unflag(step)
            self._show()
            reason = problem(result) if problem else None
            if not reason:
                return result
        self._state.flag(step, reason)
        self._show()
        return None

    def _needs_attention(self, err: ApplicationError, local: bool) -> bool:
        """A business error, or an unexpected one its activity stopped
        retrying (activities/errors.py). Orders that failed on one before it
        was caught replay as they ran; the marker costs only such orders."""
        if err.type == BUSINESS_ERROR_TYPE:
            return not local or self._lean or workflow.patched("local-business-errors-need-attention")
        if err.type == UNEXPECTED_ERROR_TYPE:
            return self._lean or workflow.patched("unexpected-errors-need-attention")
        return False

    def _command(
        self, activity: Callable[[OrderActivities, P], Awaitable[R]], command: P, summary: str
    ) -> Awaitable[R]:
        """A marketplace command: it follows the process status within one
        attempt, heartbeating, and is retried while the marketplace is down."""
        return workflow.execute_activity_method(
            activity,
            command,
            start_to_close_timeout=policies.COMMAND_TIMEOUT,
            heartbeat_timeout=policies.HEARTBEAT,
            retry_policy=policies.MARKETPLACE_RETRY,
            summary=summary,
        )

    def _set_status(self, status: OrderStatus, waiting_for: str) -> None:
        if self._state.set_status(status, waiting_for) and not self._lean:
            workflow.upsert_search_attributes([names.ORDER_STATUS.value_set(status.value)])
        self._show()

    def _show(self) -> None:
        """The current details at once (free); the search attributes at once
        in orders from before FEWER_ACTIONS, at the next rest point since."""
        if self._state.sync_needs_attention() and not self._lean:
            workflow.upsert_search_attributes([names.NEEDS_ATTENTION.value_set(self._state.view.needs_attention)])
        workflow.set_current_details(self._state.details())

    async def _rest(self, ready: Callable[[], bool]) -> None:
        """Wait for `ready`, with every search attribute current meanwhile: a
        handler changing one (resume clearing a flag) wakes the order to
        publish it, in one upsert."""
        while True:
            self._publish()
            await workflow.wait_condition(lambda: ready() or bool(self._changes()))
            if ready() or not self._lean:
                return

    def _changes(self) -> list[SearchAttributeUpdate[Any]]:
        if not self._lean:
            return []
        self._state.sync_needs_attention()
        updates: list[SearchAttributeUpdate[Any]] = []
        for name, value in self._state.search_attributes().items():
            if self._published.get(name) != value:
                key = _KEYS[name]
                updates.append(key.value_unset() if value is None else key.value_set(value))
        return updates

    def _publish(self) -> None:
        """One upsert with every search attribute that changed since the last
        (a status the order only passes through is never published)."""
        if updates := self._changes():
            workflow.upsert_search_attributes(updates)
            for update in updates:
                self._published[update.key.name] = update.value


def _with_label(transport: Transport, result: ShipmentResult) -> Transport:
    """The tracking of a label the ship command bought from the marketplace
    (no command changes: replay-safe without a patch)."""
    if not result.track_and_trace:
        return transport
    return transport.model_copy(update={"track_and_trace": result.track_and_trace})
