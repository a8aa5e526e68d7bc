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

from collections.abc import Awaitable, Callable
from contextlib import suppress
from functools import partial
from typing import TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.orders import OrderActivities
    from domain import names
    from domain.alerts.messages import AlertsChanged
    from domain.errors import BUSINESS_ERROR_TYPE, UNEXPECTED_ERROR_TYPE
    from domain.order.aftersales import TicketsOverdue
    from domain.order.commands import AcceptedOrder
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
    )
    from domain.order.state import OrderState, UnknownLine, unknown_eans_problem
    from domain.order.status import OrderStatus, Step
    from domain.order.view import OrderView, Transport
    from workflows import policies

P = TypeVar("P")
R = TypeVar("R")


# An unknown line id past the validators is a bug: it fails the order rather
# than retrying the workflow task forever (see UnknownLine).
@workflow.defn(name=names.ORDER_WORKFLOW, failure_exception_types=[UnknownLine])
class OrderWorkflow:
    @workflow.init
    def __init__(self, order: OrderWorkflowInput) -> None:
        # Handlers can run before run(): every piece of state starts here.
        self._state = OrderState(order, workflow.info().workflow_id, clock=workflow.now)

    # The lifecycle.

    @workflow.run
    async def run(self, order: OrderWorkflowInput) -> OrderView:
        await self._accept()
        await self._fulfil()
        self._drop_moot_attention()
        if self._state.shipped_anything():
            self._clear_ship_by()
            await self._after_shipping()
            await self._manual_steps_done()
            self._set_status(OrderStatus.CLOSED, "Nothing: the order is closed")
        else:
            await self._manual_steps_done()
            self._set_status(OrderStatus.CANCELLED, "Nothing: every line was cancelled")
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._state.view

    async def _accept(self) -> None:
        self._set_status(OrderStatus.RECEIVED, "Accepting the order and reserving stock")
        while (accepted := await self._attempt(Step.ACCEPT, self._accept_order(), unknown_eans_problem)) is None:
            await workflow.wait_condition(lambda: not self._state.flagged(Step.ACCEPT))
        self._state.apply_accepted(accepted)
        if ship_by := self._state.ship_by_deadline():
            workflow.upsert_search_attributes([names.SHIP_BY.value_set(ship_by)])
        if accepted.warehouse_delivery:
            await self._deliver_to_warehouse(accepted.warehouse_delivery)

    async def _deliver_to_warehouse(self, key: str) -> None:
        """Accept pushed the order to the warehouse, which did not acknowledge
        it: retried here, without reading the order again, until it does.
        Only such orders run it; histories recorded before it never have a
        delivery pending, so they replay unchanged without a patch."""
        self._set_status(OrderStatus.RECEIVED, "The warehouse to acknowledge the order (the push is retried)")
        await workflow.execute_activity_method(
            OrderActivities.deliver_to_warehouse,
            key,
            start_to_close_timeout=policies.ACCEPT_TIMEOUT,
            retry_policy=policies.MARKETPLACE_RETRY,
            summary="push the order to the warehouse",
        )

    async def _accept_order(self) -> AcceptedOrder:
        """One marketplace read and one store transaction: as a local activity
        it spares the server an activity task and the order a workflow task.
        Runs that started before this change replay it as the regular
        activity they scheduled."""
        local = workflow.patched("accept-as-local-activity")
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
            await workflow.wait_condition(
                lambda: not state.open_lines() or state.cancellation_ready() or state.shipment_ready()
            )
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
        if moot and workflow.patched("drop-moot-attention"):
            self._state.drop_flags(moot)
            self._show()

    async def _cancel_pending(self) -> None:
        for command in self._state.cancellations():
            summary = f"cancel line {command.line_id} ({command.reason})"
            result = await self._attempt(Step.CANCEL, self._command(OrderActivities.cancel_line, command, summary))
            if result is None:
                return  # needs attention: _fulfil retries once resumed; other lines still ship
            self._state.cancelled(command.line_id, command.reason)
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
            await workflow.wait_condition(lambda: not self._state.manual_steps_open())

    async def _ship(self) -> None:
        """With ops' transporter from `ship`, else the rules' choice.

        The lines are marked as shipping before the first await, so a cancel
        arriving while the transporter is chosen is refused rather than
        answered "cancelling" and shipped anyway. Only validators read the
        mark, and they do not run on replay: no command changes, no patch."""
        state = self._state
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
            state.apply_shipment(result, transport)

    def _clear_ship_by(self) -> None:
        """Once shipped, a ship-by date no longer matters: clearing it lets ops
        find late orders with `ShipBy < now` alone.

        Orders that shipped before this change have no such command in their
        history; `patched` keeps replaying them as they ran (see README,
        "Changing workflow code safely")."""
        if workflow.patched("clear-ship-by-after-shipping"):
            workflow.upsert_search_attributes([names.SHIP_BY.value_unset()])

    async def _after_shipping(self) -> None:
        """Until the return window has ended and no return is open. Wakes for
        news (a return announced or received), the window's end and each open
        return's handling SLA, which flags it late."""
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
        if self._state.received_returns and not workflow.patched("bind-returns-on-receipt"):
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

    @staticmethod
    def _needs_attention(err: ApplicationError, local: bool) -> bool:
        """A business error, or an unexpected one its activity stopped
        retrying (activities/errors.py). Orders that failed on one before it
        was caught replay as they ran; the marker costs only such orders."""
        if err.type == BUSINESS_ERROR_TYPE:
            return not local or workflow.patched("local-business-errors-need-attention")
        if err.type == UNEXPECTED_ERROR_TYPE:
            return workflow.patched("unexpected-errors-need-attention")
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
        if self._state.set_status(status, waiting_for):
            workflow.upsert_search_attributes([names.ORDER_STATUS.value_set(status.value)])
        self._show()

    def _show(self) -> None:
        """Publish a change: NeedsAttention when it flips, and the details."""
        if self._state.sync_needs_attention():
            workflow.upsert_search_attributes([names.NEEDS_ATTENTION.value_set(self._state.view.needs_attention)])
        workflow.set_current_details(self._state.details())
