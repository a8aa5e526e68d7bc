"""The order's state and the rules that change it, free of Temporal.

OrderWorkflow holds one OrderState: the OrderView ops see (the query result
and the workflow result, its JSON shape unchanged) plus what only the
workflow needs: cancellations still to send, returns received but not yet
handled, the parcel the warehouse reported, the transport ops chose.

The `validate_*` methods back the update validators: a ValueError rejects the
update with its message. Time comes from the clock the workflow passes in
(`workflow.now`), so unit tests pass a plain one."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from domain import names
from domain.alerts.clock import deadline
from domain.order.aftersales import TicketsOverdue
from domain.order.commands import (
    AcceptedOrder,
    CancelLineInput,
    ChangeTransportInput,
    HandleReturnInput,
    ReturnOutcome,
    ShipInput,
    ShipmentResult,
    TransporterQuery,
)
from domain.order.marketplace import ReturnNotice
from domain.order.messages import (
    CancelRequest,
    ConfirmRequest,
    OrderWorkflowInput,
    PickRequest,
    ReturnReceivedRequest,
    ShipRequest,
    TrackingRequest,
)
from domain.order.status import MANUAL_STEPS, OrderStatus, Step
from domain.order.view import LineQuantity, LineView, OrderRef, OrderView, ReturnRecord, ShipmentRecord, Transport
from domain.reasons import CancellationReason, ReturnHandling
from domain.sla import RETURN_HANDLINGS, SLA
from domain.transit import TRANSIT_TIMES

Clock = Callable[[], datetime]


class UnknownLine(ValueError):
    """A line id the order does not have. In a validator it rejects the update
    with a readable message; in workflow code every id was checked on arrival,
    so it is a bug (or a marketplace reporting a line the order never had) and
    fails the order: OrderWorkflow lists it in `failure_exception_types`."""


UNKNOWN_EANS = re.compile(r"EAN (?P<eans>[^ ]+(?:, [^ ]+)*) is not in the catalog: add the product, then resume")


def unknown_eans_problem(accepted: AcceptedOrder) -> str | None:
    """Why an accepted order cannot go on yet: EANs missing from the catalog."""
    if not accepted.unknown_eans:
        return None
    # A supplier portal's item named by SKU only comes as "SKU <sku>".
    skus = [item.removeprefix("SKU ") for item in accepted.unknown_eans if item.startswith("SKU ")]
    eans = [item for item in accepted.unknown_eans if not item.startswith("SKU ")]
    problems = [f"EAN {', '.join(eans)} is not in the catalog: add the product, then resume"] if eans else []
    if skus:
        problems.append(f"SKU {', '.join(skus)} is not in the catalog: add the product, then resume")
    return "; ".join(problems)


@dataclass
class ReceivedReturn:
    """A parcel the warehouse received, and the open return it is bound to."""

    request: ReturnReceivedRequest
    rma_id: str | None


def ship_by_deadline(ship_by: date | None) -> datetime | None:
    """The ShipBy search attribute: the end of the ship-by day, UTC."""
    if not ship_by:
        return None
    return datetime.combine(ship_by, time(23, 59, 59), tzinfo=UTC)


def waiting_on_eans(view: OrderView) -> list[str]:
    """The EANs an order waits for in the catalog (read back from the reason
    unknown_eans_problem wrote, which running orders already carry)."""
    match = UNKNOWN_EANS.fullmatch(view.attention.get(Step.ACCEPT, ""))
    return match["eans"].split(", ") if match else []


class OrderState:
    def __init__(self, order: OrderWorkflowInput, workflow_id: str, clock: Clock) -> None:
        self.ref = OrderRef(
            channel=order.channel, marketplace=order.marketplace, marketplace_order_id=order.marketplace_order_id
        )
        self.view = OrderView(
            workflow_id=workflow_id,
            channel=order.channel,
            marketplace=order.marketplace,
            marketplace_order_id=order.marketplace_order_id,
        )
        self.sla = SLA[order.marketplace]
        # Benchmarks shorten the return window; production uses the marketplace SLA.
        self.return_window = order.return_window or self.sla.return_window
        self.accepted = False
        self.pickup_point = False
        self.pending_cancellations: dict[str, CancellationReason] = dict.fromkeys(
            order.cancellation_requested_line_ids, CancellationReason.REQUESTED_BY_CUSTOMER
        )
        self.parcel = PickRequest()
        self.transport_override: ShipRequest | None = None
        self.shipping: set[str] = set()
        # A tracking change after shipping is on its way to the marketplace.
        self.tracking_changing = False
        self.received_returns: list[ReceivedReturn] = []
        # False in orders that had two received returns waiting before returns
        # were bound on receipt: they replay the old matching on handling.
        self.bind_returns_on_receipt = True
        self.flagged_returns: set[str] = set()
        # The marketplace's clocks (`marketplace-clocks`): a return's SLA from
        # its registration there, the return window from delivery. Orders from
        # before ran both from what ordertide saw (intake, shipment).
        self.marketplace_clocks = False
        # A channel's own return window (benchmarks, tests) is the whole wait
        # after shipping, delivery included.
        self.return_window_given = order.return_window is not None
        self.follow_delivery_events = order.follow_delivery_events
        # Manual steps waiting for ops, per line: what to do by hand.
        self.manual_steps: dict[str, str] = {}
        self._clock = clock

    def reopen(self, closed: OrderView) -> None:
        """Carry on from a closed run's result (a return arrived after the
        order closed). Returns announced to this run, before it restored the
        order, are kept."""
        announced = [record for record in self.view.returns if record.rma_id not in {r.rma_id for r in closed.returns}]
        self.view = closed.model_copy(deep=True, update={"workflow_id": self.view.workflow_id})
        self.view.returns += announced
        self.accepted = True
        self.note("reopened: a return arrived after the order had closed")

    # Lines.

    def find_line(self, line_id: str) -> LineView | None:
        """The line, or None where an unknown id is a normal case (a buyer's
        request, a return): the caller decides."""
        return next((line for line in self.view.lines if line.line_id == line_id), None)

    def line(self, line_id: str) -> LineView:
        """The line, which must exist: raises UnknownLine (a ValueError)."""
        line = self.find_line(line_id)
        if line is None:
            known = ", ".join(known_line.line_id for known_line in self.view.lines)
            raise UnknownLine(f"order has no line {line_id}; lines: {known}")
        return line

    def open_lines(self) -> list[LineView]:
        return [line for line in self.view.lines if line.open_quantity]

    def shipped_anything(self) -> bool:
        return any(line.quantity_shipped for line in self.view.lines)

    # Status, attention and history.

    def note(self, text: str) -> None:
        self.view.history.append(f"{self._clock():%Y-%m-%d %H:%M:%S} {text}")

    def set_status(self, status: OrderStatus, waiting_for: str) -> bool:
        """Returns whether the status changed (OrderStatus is then upserted)."""
        changed = status != self.view.status
        self.view.status = status
        self.view.waiting_for = waiting_for
        return changed

    def flag(self, step: Step, reason: str) -> None:
        self.view.attention[step] = reason
        self.note(f"needs attention ({step}): {reason}")

    def unflag(self, step: Step) -> None:
        self.view.attention.pop(step, None)

    def flagged(self, step: Step) -> bool:
        """A flagged step is retried once ops resume (or, for shipping, ship
        with another transporter)."""
        return step in self.view.attention

    def moot_flags(self) -> list[Step]:
        """Flagged steps that nothing is left to retry: shipping and
        cancelling once no line is open."""
        if self.open_lines():
            return []
        return [step for step in (Step.SHIP, Step.CANCEL) if step in self.view.attention]

    def drop_flags(self, steps: list[Step]) -> None:
        for step in steps:
            del self.view.attention[step]
            self.note(f"no longer needs attention ({step}): every line is shipped or cancelled")

    def sync_needs_attention(self) -> bool:
        """Bring `needs_attention` in line with the flagged steps; returns
        whether it flipped (NeedsAttention is then upserted)."""
        needs = bool(self.view.attention) or bool(self.view.alerts)
        changed = needs != self.view.needs_attention
        self.view.needs_attention = needs
        return changed

    def search_attributes(self) -> dict[str, object]:
        """What ops filter on, as it should read now (None: unset). ShipBy
        matters until every line is shipped or cancelled; once something
        shipped, clearing it lets ops find late orders with `ShipBy < now`
        alone (a cancelled order keeps it, as before). Until the order is
        accepted, ShipBy stays as given at start (intake read it)."""
        attributes: dict[str, object] = {
            names.ORDER_STATUS.name: self.view.status.value,
            names.NEEDS_ATTENTION.name: self.view.needs_attention,
        }
        if self.accepted:
            done_shipping = self.shipped_anything() and not self.open_lines()
            attributes[names.SHIP_BY.name] = None if done_shipping else self.ship_by_deadline()
        return attributes

    def return_sla_deadline(self) -> datetime | None:
        """The earliest handling SLA of an open return not yet flagged late."""
        deadlines = [
            self.return_sla_due(record) for record in self.open_returns() if record.rma_id not in self.flagged_returns
        ]
        return min(deadlines) if deadlines else None

    def details(self) -> str:
        """The workflow's current details in the Web UI."""
        view = self.view
        parts = [f"**{view.status}** — waiting for: {view.waiting_for}"]
        parts += [
            f"⚠ manual step ({step}): {reason}"
            if step in MANUAL_STEPS
            else f"⚠ needs attention ({step}): {reason} — fix, then `resume`"
            for step, reason in view.attention.items()
        ]
        if view.alerts:
            parts.append(f"⚠ open alerts: {view.alerts} — see `ordertide alerts`")
        return "\n\n".join(parts)

    def validate_resume(self) -> None:
        if not self.view.attention:
            raise ValueError(f"order is {self.view.status} and does not need attention")
        if all(step in MANUAL_STEPS for step in self.view.attention):
            steps = ", ".join(self.view.attention)
            raise ValueError(f"the order waits for a manual step ({steps}): do it, then confirm it with --step {steps}")

    def resume(self, note: str | None) -> str:
        """Ops fixed the cause: every flagged step is retried. Returns the
        steps. Manual steps stay: only `confirm` says they are done."""
        steps = ", ".join(step for step in self.view.attention if step not in MANUAL_STEPS)
        self.note(f"resumed by ops ({steps}){': ' + note if note else ''}")
        # Late returns stay flagged: resuming acknowledges them, handling clears them.
        for step in [step for step in self.view.attention if step not in MANUAL_STEPS]:
            del self.view.attention[step]
        return steps

    # Manual steps.

    def await_manual(self, step: Step, line_id: str, instructions: str) -> None:
        self.manual_steps[line_id] = instructions
        self.view.attention[step] = "\n".join(dict.fromkeys(self.manual_steps.values()))
        self.note(f"line {line_id}: waits for ops ({step})")

    def validate_confirm(self, request: ConfirmRequest) -> None:
        if request.step not in self.view.attention or request.step not in MANUAL_STEPS:
            waiting = ", ".join(step for step in self.view.attention if step in MANUAL_STEPS) or "none"
            raise ValueError(f"step {request.step!r} is not waiting on this order (manual steps waiting: {waiting})")

    def confirm(self, request: ConfirmRequest) -> str:
        step = Step(request.step)
        del self.view.attention[step]
        lines = ", ".join(self.manual_steps)
        self.manual_steps.clear()
        self.note(f"ops confirmed {step} (line {lines}){': ' + request.note if request.note else ''}")
        return f"confirmed {step} for line {lines}"

    def manual_steps_open(self) -> bool:
        return bool(self.manual_steps)

    def require_accepted(self, action: str) -> None:
        if not self.accepted:
            raise ValueError(f"cannot {action} yet: the order is still being accepted")
        if self.view.status in (OrderStatus.CLOSED, OrderStatus.CANCELLED):
            raise ValueError(f"cannot {action}: the order is {self.view.status}")

    # Accepting.

    def apply_accepted(self, accepted: AcceptedOrder) -> None:
        """The order as the marketplace has it, stock reserved per line. Lines
        without stock and lines the buyer asked to cancel are queued for
        cancellation; requests for lines the order does not have are dropped."""
        self.accepted = True
        view = self.view
        view.lines = accepted.lines
        view.placed_at = accepted.placed_at
        view.ship_by = accepted.ship_by
        view.destination_country = accepted.destination_country
        self.pickup_point = accepted.pickup_point
        known = {line.line_id for line in view.lines}
        for line_id in [line_id for line_id in self.pending_cancellations if line_id not in known]:
            self.note(f"ignored a cancellation request for unknown line {line_id}")
            del self.pending_cancellations[line_id]
        for line in view.lines:
            if line.open_quantity == 0:
                continue
            if line.cancellation_requested:
                self.pending_cancellations[line.line_id] = CancellationReason.REQUESTED_BY_CUSTOMER
            elif not line.reserved:
                self.pending_cancellations.setdefault(line.line_id, CancellationReason.OUT_OF_STOCK)
                self.note(f"line {line.line_id}: not enough stock, cancelling it")

    def ship_by_deadline(self) -> datetime | None:
        return ship_by_deadline(self.view.ship_by)

    # Picking and shipping.

    def validate_pick(self, request: PickRequest) -> None:
        self.require_accepted("pick")
        if not self.open_lines():
            raise ValueError(f"order is {self.view.status}: no open lines left to pick")
        if not request.lines and all(line.open_quantity <= line.unshipped_picked for line in self.open_lines()):
            # A warehouse repeating itself: accepting it would change nothing
            # and still cost an update.
            raise ValueError("every open line is picked already: shipping follows")
        for picked in request.lines:
            line = self.line(picked.line_id)
            can_pick = line.open_quantity - line.unshipped_picked
            if picked.quantity < 1 or picked.quantity > can_pick:
                raise ValueError(f"line {picked.line_id}: can pick 1..{can_pick}, not {picked.quantity}")

    def pick(self, request: PickRequest) -> None:
        """The warehouse picked lines (every open line in full when none are
        named). A line never counts more picked than was ordered and not
        cancelled."""
        picks = request.lines or [
            LineQuantity(line_id=line.line_id, quantity=line.open_quantity) for line in self.open_lines()
        ]
        for picked in picks:
            line = self.line(picked.line_id)
            line.quantity_picked = min(line.quantity - line.quantity_cancelled, line.quantity_picked + picked.quantity)
        self.parcel = request

    def awaiting_pick_text(self) -> str:
        ship_by = f" (ship by {self.view.ship_by})" if self.view.ship_by else ""
        return f"The warehouse to pick {len(self.open_lines())} line(s){ship_by}"

    def validate_ship(self) -> None:
        self.require_accepted("ship")
        if not self.open_lines():
            raise ValueError(f"order is {self.view.status}: nothing left to ship")
        if self.shipping:
            raise ValueError("a shipment is being confirmed right now; wait for it")

    def ship_now(self, request: ShipRequest) -> None:
        """Ops ship everything open now, optionally with their own transporter;
        a failed shipment is retried with it."""
        self.transport_override = request
        for line in self.view.lines:
            line.quantity_picked = max(line.quantity_picked, line.quantity - line.quantity_cancelled)
        self.unflag(Step.SHIP)

    def shipment_ready(self) -> bool:
        return not self.flagged(Step.SHIP) and bool(self.lines_to_ship())

    def lines_to_ship(self) -> list[LineQuantity]:
        """Picked, not yet shipped, and not waiting to be cancelled."""
        return [
            LineQuantity(line_id=line.line_id, quantity=line.unshipped_picked)
            for line in self.view.lines
            if line.unshipped_picked and line.line_id not in self.pending_cancellations
        ]

    def start_shipment(self) -> list[LineQuantity]:
        """The lines to ship, marked as shipping at once: from here the cancel
        and ship validators refuse them, even while the transporter is still
        being chosen. finish_shipment releases them."""
        lines = self.lines_to_ship()
        self.shipping = {line.line_id for line in lines}
        return lines

    def finish_shipment(self) -> None:
        self.shipping = set()

    def chosen_transporter(self) -> str | None:
        """The transporter ops named with `ship`, if any."""
        return self.transport_override.transporter_code if self.transport_override else None

    def tracking(self) -> str | None:
        """Tracking from ops' `ship`, else from the warehouse's pick."""
        override = self.transport_override.track_and_trace if self.transport_override else None
        return override or self.parcel.track_and_trace

    def transporter_query(self) -> TransporterQuery:
        return TransporterQuery(
            marketplace=self.ref.marketplace,
            country=self.view.destination_country or "",
            pickup_point=self.pickup_point,
            weight_grams=self.parcel.weight_grams,
        )

    def ship_input(self, lines: list[LineQuantity], transport: Transport) -> ShipInput:
        return ShipInput(
            order=self.ref,
            lines=lines,
            shipped_before={line.line_id: line.quantity_shipped for line in self.view.lines},
            transport=transport,
            reference=self.ref.marketplace_order_id,
        )

    def apply_shipment(self, result: ShipmentResult, transport: Transport) -> None:
        """Count what shipped; lines the buyer asked to cancel just before
        shipping were not shipped and are queued for cancellation."""
        for shipped in result.shipped:
            self.line(shipped.line_id).quantity_shipped += shipped.quantity
        for line_id in result.cancellation_requested_line_ids:
            self.line(line_id).cancellation_requested = True
            self.pending_cancellations[line_id] = CancellationReason.REQUESTED_BY_CUSTOMER
            self.note(f"line {line_id}: the buyer asked to cancel just before shipping; not shipped")
        if result.shipped:
            self.view.shipments.append(
                ShipmentRecord(
                    lines=result.shipped, transport=transport, process_id=result.process_id, confirmed_at=self._clock()
                )
            )
            parcel = ", ".join(f"{shipped.line_id}×{shipped.quantity}" for shipped in result.shipped)
            tracking = f", tracking {transport.track_and_trace}" if transport.track_and_trace else ""
            self.note(f"shipped {parcel} with {transport.transporter_code}{tracking}")
        self.transport_override = None

    # Tracking after shipping.

    def validate_tracking(self, request: TrackingRequest) -> None:
        self.require_accepted("change tracking")
        self._shipment_for(request)
        if self.tracking_changing:
            raise ValueError("a tracking change is being sent right now; wait for it")

    def _shipment_for(self, request: TrackingRequest) -> ShipmentRecord:
        shipments = [
            s for s in self.view.shipments if request.line_id is None or request.line_id in {x.line_id for x in s.lines}
        ]
        if not shipments:
            raise ValueError(
                "nothing shipped yet: give tracking with `ship --tracking`"
                if request.line_id is None
                else f"line {request.line_id} has not shipped"
            )
        return shipments[-1]

    def tracking_change(self, request: TrackingRequest) -> ChangeTransportInput:
        shipment = self._shipment_for(request)
        self.tracking_changing = True
        code = request.transporter_code or shipment.transport.transporter_code
        return ChangeTransportInput(
            order=self.ref,
            line_ids=[line.line_id for line in shipment.lines],
            transport=Transport(transporter_code=code, track_and_trace=request.track_and_trace),
        )

    def tracking_changed(self, command: ChangeTransportInput, note: str | None) -> None:
        """The parcel's transport as the marketplace now has it, said in the timeline."""
        self.tracking_changing = False
        wanted = set(command.line_ids)
        shipment = next(s for s in reversed(self.view.shipments) if {x.line_id for x in s.lines} == wanted)
        before = shipment.transport.track_and_trace or "none"
        shipment.transport = shipment.transport.model_copy(
            update={
                "transporter_code": command.transport.transporter_code,
                "track_and_trace": command.transport.track_and_trace,
            }
        )
        self.note(
            f"tracking of {', '.join(command.line_ids)} now {command.transport.transporter_code} "
            f"{command.transport.track_and_trace} (was {before})" + (f"; {note}" if note else "")
        )

    def tracking_refused(self, reason: str) -> None:
        self.tracking_changing = False
        self.note(f"tracking not changed: {reason}")

    # Cancelling.

    def validate_cancel(self, request: CancelRequest) -> None:
        self.require_accepted("cancel")
        line_ids = self._lines_to_cancel(request)
        if not line_ids:
            raise ValueError(f"order is {self.view.status}: nothing left to cancel")
        for line_id in line_ids:
            if not self.line(line_id).open_quantity:
                raise ValueError(f"line {line_id} is already shipped or cancelled")
            if line_id in self.shipping:
                raise ValueError(f"line {line_id} is being shipped right now")

    def request_cancel(self, request: CancelRequest) -> list[str]:
        """Ops cancel lines (every open line when none are named)."""
        line_ids = self._lines_to_cancel(request)
        for line_id in line_ids:
            self.pending_cancellations[line_id] = request.reason
        return line_ids

    def _lines_to_cancel(self, request: CancelRequest) -> list[str]:
        return request.line_ids or [line.line_id for line in self.open_lines()]

    def buyer_cancellation(self, line_ids: list[str]) -> None:
        """The buyer asked to cancel lines. Before acceptance the lines are
        unknown: apply_accepted sorts them out."""
        for line_id in line_ids:
            line = self.find_line(line_id)
            if self.accepted and line is None:
                self.note(f"ignored a cancellation request for unknown line {line_id}")
                continue
            if line is not None:
                line.cancellation_requested = True
            if line is None or line.open_quantity:
                self.pending_cancellations[line_id] = CancellationReason.REQUESTED_BY_CUSTOMER

    def cancellation_ready(self) -> bool:
        return not self.flagged(Step.CANCEL) and any(
            self.line(line_id).open_quantity for line_id in self.pending_cancellations
        )

    def cancellations(self) -> list[CancelLineInput]:
        """The queued cancellations, in order, each for what is still open.
        Lines shipped or cancelled meanwhile leave the queue."""
        for line_id in [line_id for line_id in self.pending_cancellations if not self.line(line_id).open_quantity]:
            del self.pending_cancellations[line_id]
        return [
            CancelLineInput(order=self.ref, line_id=line_id, reason=reason, quantity=self.line(line_id).open_quantity)
            for line_id, reason in self.pending_cancellations.items()
        ]

    def cancelled(self, line_id: str, reason: CancellationReason) -> None:
        """The marketplace confirmed the cancellation: the open quantity is
        cancelled and its stock released."""
        line = self.line(line_id)
        if line.open_quantity:
            self.note(f"line {line_id}: {line.open_quantity} cancelled ({reason})")
            line.quantity_cancelled += line.open_quantity
            line.reserved = False
        del self.pending_cancellations[line_id]

    # Buyer messages.

    def tickets_overdue(self, notice: TicketsOverdue) -> None:
        """Intake found the buyer waiting too long for an answer (or, with no
        ticket ids, every message answered)."""
        if not notice.ticket_ids:
            if self.flagged(Step.UNANSWERED_MESSAGE):
                self.unflag(Step.UNANSWERED_MESSAGE)
                self.note("the buyer's messages are answered")
            return
        since = f" since {notice.waiting_since:%Y-%m-%d %H:%M} UTC" if notice.waiting_since else ""
        response = (
            f" (the marketplace expects an answer within {self.sla.ticket_response})"
            if self.sla.ticket_response
            else ""
        )
        reason = (
            f"the buyer waits for an answer{since} in ticket(s) {', '.join(notice.ticket_ids)}{response}; "
            f"answer with `ordertide order reply`"
        )
        if self.view.attention.get(Step.UNANSWERED_MESSAGE) != reason:
            self.flag(Step.UNANSWERED_MESSAGE, reason)

    # Returns.

    def announce_return(self, notice: ReturnNotice) -> None:
        """The buyer announced a return; the line is the one named, else the
        first with the return's EAN. A repeated notice is ignored."""
        if any(record.rma_id == notice.rma_id for record in self.view.returns):
            return
        line_id = notice.line_id or next((line.line_id for line in self.view.lines if line.ean == notice.ean), None)
        self.view.returns.append(
            ReturnRecord(
                rma_id=notice.rma_id,
                return_id=notice.return_id,
                line_id=line_id,
                ean=notice.ean,
                quantity=notice.quantity,
                reason=notice.reason,
                announced_at=self._clock(),
                registered_at=notice.registered_at,
            )
        )
        self.note(f"the buyer announced return {notice.rma_id} ({notice.quantity}× {notice.ean}): {notice.reason}")

    def return_sla_due(self, record: ReturnRecord) -> datetime:
        """When the marketplace counts the return as late: its handling SLA
        from the marketplace's registration (never later than our intake saw
        it, should the two clocks disagree), in business days where the
        marketplace counts them (as the alert evaluation does; only with the
        marketplace's clocks, so orders from before keep their timers)."""
        business_days = self.marketplace_clocks and self.sla.return_handling_business_days
        return deadline(self._sla_start(record), self.sla.return_handling, business_days)

    def _sla_start(self, record: ReturnRecord) -> datetime:
        if self.marketplace_clocks and record.registered_at is not None:
            return min(record.registered_at, record.announced_at)
        return record.announced_at

    def _announced_text(self, record: ReturnRecord) -> str:
        if self._sla_start(record) != record.announced_at:
            return f"registered on the marketplace {self._sla_start(record):%Y-%m-%d %H:%M} UTC"
        return f"announced {record.announced_at:%Y-%m-%d %H:%M} UTC"

    def open_returns(self) -> list[ReturnRecord]:
        return [record for record in self.view.returns if record.handled_at is None]

    def return_for(self, request: ReturnReceivedRequest) -> ReturnRecord:
        """The open return a received parcel belongs to: the one named by RMA,
        else the first on the line (or on any line). A return another received
        parcel is bound to is taken (before `bind-returns-on-receipt`: one it
        names by RMA)."""
        taken = self._taken_returns(request)
        for record in self.open_returns():
            if record.rma_id in taken:
                continue
            if request.rma_id and record.rma_id == request.rma_id:
                return record
            if not request.rma_id and (request.line_id is None or record.line_id == request.line_id):
                return record
        known = ", ".join(record.rma_id for record in self.open_returns()) or "none"
        waiting = ", ".join(record.rma_id for record in self.open_returns() if record.rma_id in taken)
        raise ValueError(
            f"no open return matches (rma {request.rma_id}, line {request.line_id}); open returns: {known}"
            + (f"; already received, waiting to be handled: {waiting}" if waiting else "")
        )

    def _taken_returns(self, request: ReturnReceivedRequest) -> set[str]:
        if self.bind_returns_on_receipt:
            return {received.rma_id for received in self.received_returns if received.rma_id}
        return {
            received.request.rma_id
            for received in self.received_returns
            if received.request is not request and received.request.rma_id
        }

    def validate_return_received(self, request: ReturnReceivedRequest) -> None:
        if self.view.status not in (OrderStatus.SHIPPED, OrderStatus.RETURN_OPEN):
            raise ValueError(
                f"order is {self.view.status}: returns are handled after shipping, within the return window"
            )
        if request.handling is not None and request.handling not in RETURN_HANDLINGS[self.ref.marketplace]:
            offered = ", ".join(sorted(RETURN_HANDLINGS[self.ref.marketplace]))
            raise ValueError(f"handling: {self.ref.marketplace} does not offer {request.handling}; one of {offered}")
        record = self.return_for(request)
        quantity = request.quantity or record.quantity
        if quantity < 1 or quantity > record.quantity:
            raise ValueError(f"return {record.rma_id}: quantity must be 1..{record.quantity}")

    def receive_return(self, request: ReturnReceivedRequest) -> str:
        """The warehouse received a return: bound to its open return now and
        queued for handling. Returns the reply. The validator refused parcels
        that match nothing; one that still does is noted and dropped, never
        queued to fail later."""
        try:
            record: ReturnRecord | None = self.return_for(request)
        except ValueError as err:
            if self.bind_returns_on_receipt:
                self.note(f"ignored a received return: {err}")
                return f"ignored: {err}"
            record = None  # the old matching binds it when handled
        bound = record.rma_id if record and self.bind_returns_on_receipt else None
        self.received_returns.append(ReceivedReturn(request=request, rma_id=bound))
        return f"handling return {record.rma_id}" if record else "received; matched to a return when handled"

    def return_ready(self) -> bool:
        return bool(self.received_returns) and not self.flagged(Step.RETURN)

    def next_return(self) -> HandleReturnInput | None:
        """How to handle the oldest received return. One that matches no open
        return (only orders from before `bind-returns-on-receipt`), or no line
        of the order, is dropped and flagged for ops: None."""
        received = self.received_returns[0]
        request = received.request
        record = self._bound_return(received)
        if record is None:
            self.received_returns.pop(0)
            known = ", ".join(record.rma_id for record in self.open_returns()) or "none"
            self.flag(
                Step.RETURN,
                f"a received return (rma {request.rma_id}, line {request.line_id}) matches no open return "
                f"(open: {known}); was the parcel received twice?",
            )
            return None
        line = self.find_line(record.line_id or "")
        if line is None:
            self.received_returns.pop(0)
            self.flag(Step.RETURN, f"return {record.rma_id} ({record.ean}) matches no line of this order")
            return None
        return HandleReturnInput(
            order=self.ref,
            rma_id=record.rma_id,
            return_id=record.return_id,
            line_id=line.line_id,
            sku=line.sku,
            quantity=request.quantity or record.quantity,
            handling=request.handling
            or (
                ReturnHandling.RETURN_RECEIVED
                if request.meets_conditions
                else ReturnHandling.RETURN_DOES_NOT_MEET_CONDITIONS
            ),
            resellable=request.resellable,
            unit_price=line.unit_price,
            message=request.message,
        )

    def _bound_return(self, received: ReceivedReturn) -> ReturnRecord | None:
        if self.bind_returns_on_receipt and received.rma_id:
            return next((record for record in self.open_returns() if record.rma_id == received.rma_id), None)
        try:
            return self.return_for(received.request)
        except ValueError:
            return None

    def return_handled(self, handled: HandleReturnInput, outcome: ReturnOutcome) -> None:
        """The marketplace took the handling of the oldest received return
        (`handled`, from next_return); a late-return flag clears once no late
        return is left."""
        self.received_returns.pop(0)
        record = next(record for record in self.view.returns if record.rma_id == handled.rma_id)
        if not handled.handling.is_final:
            # The buyer was asked (Kaufland: a ticket opened): the return stays
            # open for the final handling, and the marketplace's SLA is met.
            record.handling = handled.handling
            self._answered_in_time(record.rma_id)
            self.note(f"return {record.rma_id}: {handled.handling}; waiting for the final handling")
            return
        record.handling = handled.handling
        record.resellable = handled.resellable
        record.refund = outcome.refund
        record.handled_at = self._clock()
        self.line(handled.line_id).quantity_returned += handled.quantity
        self._answered_in_time(record.rma_id)
        refund = f", refund {outcome.refund}" if outcome.refund is not None else ""
        restock = ", back in stock" if outcome.restocked else ""
        self.note(f"return {record.rma_id}: {handled.handling}{refund}{restock}")

    def _answered_in_time(self, rma_id: str) -> None:
        self.flagged_returns.discard(rma_id)
        if not self.flagged_returns:
            self.unflag(Step.LATE_RETURN)

    def _awaits_response(self, record: ReturnRecord) -> bool:
        """Open and not yet answered on the marketplace (a clarification
        question is an answer: only the final handling is left)."""
        return record.handled_at is None and record.handling is None

    def news(self, returns_seen: int) -> bool:
        """A received return to handle, or a return announced since
        `returns_seen` were known."""
        return self.return_ready() or len(self.view.returns) != returns_seen

    def open_return_window(self) -> datetime:
        """The return window runs from the last shipment; returns when it ends."""
        starts = self.view.shipments[-1].confirmed_at
        if self.marketplace_clocks and not self.return_window_given:
            starts = self.expected_delivery()
        ends = starts + self.return_window
        self.view.return_window_ends = ends
        return ends

    def window_from_delivery(self, delivered: datetime) -> datetime | None:
        """The carrier delivered later than expected: the marketplace's return
        window (from its registration of the delivery) ends later, and so does
        ours. None when it ends no later than the one already waited out."""
        ends = delivered + self.sla.delivery_registration_lag + self.return_window
        if self.view.return_window_ends is not None and ends <= self.view.return_window_ends:
            return None
        self.view.return_window_ends = ends
        self.note(f"the carrier delivered {delivered:%Y-%m-%d %H:%M} UTC: the return window runs until {ends:%Y-%m-%d}")
        return ends

    def expected_delivery(self) -> datetime:
        """When the marketplace will have registered the last parcel as
        delivered: its transporter's transit time to the buyer's country plus
        the marketplace's registration lag. The buyer's return window runs
        from then, not from shipment."""
        shipment = self.view.shipments[-1]
        delivered = TRANSIT_TIMES.expected_delivery(
            shipment.confirmed_at, shipment.transport.transporter_code, self.view.destination_country
        )
        registered = delivered + self.sla.delivery_registration_lag
        self.note(f"the return window runs from the expected delivery, {registered:%Y-%m-%d %H:%M} UTC")
        return registered

    def after_shipping_status(self, ends: datetime) -> tuple[OrderStatus, str]:
        open_returns = self.open_returns()
        if open_returns:
            rma_ids = ", ".join(record.rma_id for record in open_returns)
            return OrderStatus.RETURN_OPEN, f"The warehouse to receive return(s) {rma_ids}"
        return OrderStatus.SHIPPED, f"The return window to close on {ends:%Y-%m-%d %H:%M} UTC"

    def next_deadline(self, now: datetime, ends: datetime) -> datetime | None:
        """When to look again without news: the end of the return window, or
        an open return's handling SLA running out (not yet flagged)."""
        deadlines = [ends] if now < ends else []
        deadlines += [
            self.return_sla_due(record)
            for record in self.open_returns()
            if record.rma_id not in self.flagged_returns and self._awaits_response(record)
        ]
        return min(deadlines) if deadlines else None

    def flag_late_returns(self) -> None:
        """Flag each open return past the marketplace's handling SLA, once."""
        now = self._clock()
        for record in self.view.returns:
            if now >= self.return_sla_due(record):
                self._flag_late(record)

    def returns_overdue(self, rma_ids: list[str]) -> None:
        """Intake saw these returns still open on the marketplace past its
        handling SLA (orders since `return-sla-from-intake` keep no SLA timer
        of their own): each one still waiting for our answer is flagged, once."""
        for record in self.view.returns:
            if record.rma_id in rma_ids:
                self._flag_late(record)

    def _flag_late(self, record: ReturnRecord) -> None:
        if self._awaits_response(record) and record.rma_id not in self.flagged_returns:
            self.flagged_returns.add(record.rma_id)
            self.flag(
                Step.LATE_RETURN,
                f"return {record.rma_id} was {self._announced_text(record)} and is not "
                f"handled within the marketplace's {self.sla.return_handling} SLA",
            )
