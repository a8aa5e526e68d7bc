"""Test doubles for the order activities, registered under the real activity
names (the method names of activities.orders.OrderActivities), so the
workflow runs unchanged on the time-skipping server without a marketplace,
a store or a sandbox.

One worker serves every fast test (see conftest.py); each activity looks up
the double of the workflow that called it by workflow id. A double replies
with canned payloads from domain/order/commands.py: the next scripted reply
if a test queued one (a payload, an exception to raise, or a function of the
input), else a default that succeeds (ship: every requested line shipped).
Like the real ones, they give up on an unexpected error after a few attempts."""

import asyncio
import uuid
from collections import deque
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.errors import unexpected_errors_need_attention
from domain.errors import BUSINESS_ERROR_TYPE, UNEXPECTED_ERROR_TYPE
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
from domain.order.view import LineView, OrderRef

MUG_EAN = "8710103917885"
LAMP_EAN = "4006381333931"
PLACED_AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SHIP_BY = date(2026, 3, 3)


def mug(quantity: int = 1, line_id: str = "L-MUG", **overrides: Any) -> LineView:
    values: dict[str, Any] = {
        "line_id": line_id,
        "ean": MUG_EAN,
        "sku": "MUG-BLUE",
        "title": "Blue enamel mug",
        "quantity": quantity,
        "unit_price": Decimal("12.95"),
        "reserved": True,
    }
    return LineView(**{**values, **overrides})


def lamp(quantity: int = 1, line_id: str = "L-LAMP", **overrides: Any) -> LineView:
    values: dict[str, Any] = {
        "line_id": line_id,
        "ean": LAMP_EAN,
        "sku": "LAMP-DESK",
        "title": "Desk lamp, brass",
        "quantity": quantity,
        "unit_price": Decimal("49.99"),
        "reserved": True,
    }
    return LineView(**{**values, **overrides})


def accepted(*lines: LineView, **overrides: Any) -> AcceptedOrder:
    values: dict[str, Any] = {
        "placed_at": PLACED_AT,
        "ship_by": SHIP_BY,
        "destination_country": "NL",
        "lines": list(lines),
    }
    return AcceptedOrder(**{**values, **overrides})


def business_error(message: str) -> ApplicationError:
    """What activities raise when the marketplace says no (see activities/errors.py)."""
    return ApplicationError(message, type=BUSINESS_ERROR_TYPE, non_retryable=True)


def unexpected_error(message: str) -> ApplicationError:
    """What an activity raises once it stops retrying an error nobody
    classified (see activities/errors.py, `unexpected_errors`)."""
    return ApplicationError(message, type=UNEXPECTED_ERROR_TYPE, non_retryable=True)


Reply = BaseModel | str | BaseException | Callable[[Any], Any]


class FakeOrderActivities:
    """The marketplace and store as one order's activities see them."""

    def __init__(self, *accept: AcceptedOrder | BaseException, transporter: str = "TNT"):
        self.accept_replies: deque[Reply] = deque(accept)
        self.transporter_replies: deque[Reply] = deque()
        self.ship_replies: deque[Reply] = deque()
        self.cancel_replies: deque[Reply] = deque()
        self.return_replies: deque[Reply] = deque()
        self.delivery_replies: deque[Reply] = deque()
        self.tracking_replies: deque[Reply] = deque()
        self.delivered: datetime | None = None
        self.transporter = transporter
        self.calls: list[tuple[str, BaseModel | str]] = []
        # Set by a test to hold ship_lines until it is released.
        self.ship_gate: asyncio.Event | None = None
        self.ship_started = asyncio.Event()
        # Set by a test to hold the transporter choice (a local activity) until released.
        self.transporter_gate: asyncio.Event | None = None
        self.transporter_started = asyncio.Event()

    def called(self, name: str) -> list[Any]:
        return [arg for activity_name, arg in self.calls if activity_name == name]

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    def _reply(self, name: str, arg: BaseModel, replies: deque[Reply], default: Callable[[], Any]) -> Any:
        self.calls.append((name, arg))
        reply = replies.popleft() if replies else default()
        if isinstance(reply, BaseException):
            raise reply
        if callable(reply) and not isinstance(reply, BaseModel):
            return reply(arg)
        return reply

    async def accept_order(self, ref: OrderRef) -> AcceptedOrder:
        # The last scripted acceptance stands for every later call (a resume).
        last = self.accept_replies[-1]
        replies = self.accept_replies if len(self.accept_replies) > 1 else deque()
        return self._reply("accept_order", ref, replies, lambda: last)

    async def deliver_to_warehouse(self, key: str) -> None:
        self.calls.append(("deliver_to_warehouse", key))
        reply = self.delivery_replies.popleft() if self.delivery_replies else None
        if isinstance(reply, BaseException):
            raise reply

    async def choose_transporter(self, query: TransporterQuery) -> str:
        self.transporter_started.set()
        if self.transporter_gate is not None:
            await self.transporter_gate.wait()
        return self._reply("choose_transporter", query, self.transporter_replies, lambda: self.transporter)

    async def ship_lines(self, step: ShipInput) -> ShipmentResult:
        # As the real one: the rules' transporter first, when asked to choose;
        # the command is recorded as shipped, with the transporter chosen.
        chosen = None
        if step.choose_transporter is not None:
            chosen = await self.choose_transporter(step.choose_transporter)
            transport = step.transport.model_copy(update={"transporter_code": chosen})
            step = step.model_copy(update={"transport": transport, "choose_transporter": None})
        self.ship_started.set()
        if self.ship_gate is not None:
            await self.ship_gate.wait()
        result: ShipmentResult = self._reply(
            "ship_lines",
            step,
            self.ship_replies,
            lambda: ShipmentResult(shipped=step.lines, process_id=f"ship-{uuid.uuid4().hex[:6]}"),
        )
        if chosen is not None:
            result = result.model_copy(update={"transporter_code": chosen})
        return result

    async def cancel_line(self, step: CancelLineInput) -> CommandResult:
        return self._reply(
            "cancel_line", step, self.cancel_replies, lambda: CommandResult(process_id=f"cancel-{step.line_id}")
        )

    async def handle_return(self, step: HandleReturnInput) -> ReturnOutcome:
        return self._reply("handle_return", step, self.return_replies, ReturnOutcome)

    async def change_transport(self, step: ChangeTransportInput) -> CommandResult:
        return self._reply("change_transport", step, self.tracking_replies, CommandResult)

    async def delivered_at(self, ref: OrderRef) -> datetime | None:
        # No carrier event unless a test scripts one: the transit time stands.
        self.calls.append(("delivered_at", ref))
        return self.delivered


# workflow id → the double serving that workflow's activities.
DOUBLES: dict[str, FakeOrderActivities] = {}


def _double() -> FakeOrderActivities:
    workflow_id = activity.info().workflow_id or ""
    try:
        return DOUBLES[workflow_id]
    except KeyError:
        raise ApplicationError(f"no test double registered for {workflow_id}", non_retryable=True) from None


@activity.defn(name="accept_order")
@unexpected_errors_need_attention
async def accept_order(ref: OrderRef) -> AcceptedOrder:
    return await _double().accept_order(ref)


@activity.defn(name="deliver_to_warehouse")
async def deliver_to_warehouse(key: str) -> None:
    await _double().deliver_to_warehouse(key)


@activity.defn(name="choose_transporter")
@unexpected_errors_need_attention
async def choose_transporter(query: TransporterQuery) -> str:
    return await _double().choose_transporter(query)


@activity.defn(name="ship_lines")
@unexpected_errors_need_attention
async def ship_lines(step: ShipInput) -> ShipmentResult:
    return await _double().ship_lines(step)


@activity.defn(name="cancel_line")
@unexpected_errors_need_attention
async def cancel_line(step: CancelLineInput) -> CommandResult:
    return await _double().cancel_line(step)


@activity.defn(name="handle_return")
@unexpected_errors_need_attention
async def handle_return(step: HandleReturnInput) -> ReturnOutcome:
    return await _double().handle_return(step)


@activity.defn(name="change_transport")
@unexpected_errors_need_attention
async def change_transport(step: ChangeTransportInput) -> CommandResult:
    return await _double().change_transport(step)


@activity.defn(name="delivered_at")
async def delivered_at(ref: OrderRef) -> datetime | None:
    return await _double().delivered_at(ref)


ACTIVITIES: list[Callable[..., Any]] = [
    accept_order,
    deliver_to_warehouse,
    choose_transporter,
    ship_lines,
    cancel_line,
    handle_return,
    change_transport,
    delivered_at,
]
