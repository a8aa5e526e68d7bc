"""The intake activity: read what changed on a channel and hand each order to
its workflow. Starting is idempotent by workflow id, so overlapping polls
(and pushes arriving at the same time) cannot create a second order."""

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Coroutine, Sequence
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace
from temporalio import activity
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import WorkflowExecutionStatus
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import Client
from temporalio.common import (
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from activities.channels import Channels
from activities.errors import marketplace_errors
from activities.order_start import AcceptNew, prepare_start, start_pairs
from activities.return_watch import ReturnWatch
from activities.tickets import TicketWatch
from activities.tracing import tag_order
from domain import names
from domain.config import ChannelConfig, follows_delivery_events
from domain.errors import MarketplaceError
from domain.ids import order_workflow_id
from domain.intake import IntakePollResult, IntakeWatch, OrderChange, UnreadableItem
from domain.order.marketplace import ReturnNotice
from domain.order.messages import ORDER_CODE_VERSION, BuyerCancellationRequested, OrderWorkflowInput
from domain.order.status import OrderStatus
from domain.order.view import OrderRef, OrderView

log = logging.getLogger(__name__)


class _Seen:
    """What this process already handed over, so a poll that overlaps the
    previous one does not repeat every start. Only an optimisation: losing
    it (restart) just repeats idempotent calls."""

    def __init__(self, size: int = 100_000):
        self._items: OrderedDict[object, object] = OrderedDict()
        self._size = size

    def is_new(self, key: object, value: object) -> bool:
        if self._items.get(key, object()) == value:
            self._items.move_to_end(key)
            return False
        return True

    def remember(self, key: object, value: object) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)


def _cursor(details: Sequence[Any]) -> datetime | None:
    return datetime.fromisoformat(details[0]) if details else None


async def _sleep_or_shutdown(seconds: float) -> None:
    shutdown = asyncio.ensure_future(activity.wait_for_worker_shutdown())
    try:
        await asyncio.wait([shutdown], timeout=seconds)
    finally:
        shutdown.cancel()


class IntakeActivities:
    def __init__(self, channels: Channels, client: Client, task_queue: str, accept: AcceptNew | None = None):
        """`accept`: OrderActivities.accept_new, where this process has the
        store: orders then start accepted (activities/order_start.py)."""
        self.channels = channels
        self.client = client
        self.task_queue = task_queue
        self.accept = accept
        self._seen = _Seen()
        self.tickets = TicketWatch(client)
        self.late_returns = ReturnWatch(client)

    @activity.defn
    async def watch_channel(self, watch: IntakeWatch) -> IntakePollResult:
        """Poll the channel every `interval` for `duration`, handing each order
        to its workflow. Polling inside one long activity keeps Temporal out of
        the loop (no activity and timer per poll); the cursor rides in the
        heartbeat, so a retry resumes where the last attempt got to."""
        info = activity.info()
        cursor = _cursor(info.heartbeat_details) or watch.cursor
        swept_at = watch.swept_at
        total = IntakePollResult(cursor=cursor or datetime.now(UTC), swept_at=swept_at, polls=0)
        deadline = time.monotonic() + watch.duration.total_seconds()
        next_returns = 0.0
        while True:
            with_returns = time.monotonic() >= next_returns
            sweep = swept_at is None or datetime.now(UTC) - swept_at >= watch.sweep_interval
            # A sweep reads every open order (no change interval); the orders
            # already handed over cost nothing but the read.
            result = await self.poll_once(watch.channel, None if sweep else cursor, with_returns)
            if sweep:
                swept_at = result.swept_at = result.cursor
            if with_returns and result.returns_error is None:  # a failed read is tried again at the next poll
                next_returns = time.monotonic() + watch.returns_interval.total_seconds()
            cursor = result.cursor
            total = total.merged(result)
            activity.heartbeat(cursor.isoformat())
            if time.monotonic() >= deadline or activity.is_worker_shutdown():
                return total
            await _sleep_or_shutdown(watch.interval.total_seconds())

    async def poll_once(self, channel: str, cursor: datetime | None, with_returns: bool = True) -> IntakePollResult:
        """One read of the channel. Orders and returns are read apart, and an
        item that cannot be read or handed over is skipped and reported in
        `unreadable`: one bad item must not hold up every other order."""
        now = datetime.now(UTC)
        adapter = self.channels[channel]
        unreadable: list[UnreadableItem] = []
        with marketplace_errors():
            changes = await adapter.changed_orders(cursor, now, skip=unreadable.append)
        result = IntakePollResult(cursor=now, orders_seen=len(changes))
        for change in changes:
            if await self._handed_over(
                unreadable, "order", change.marketplace_order_id, self.dispatch_order(channel, change)
            ):
                result.orders_started += 1
                result.cancellations_forwarded += bool(change.cancellation_requested_line_ids)
            activity.heartbeat(now.isoformat())
        if with_returns:
            # Read after the orders are handed over, so an order and its return
            # in the same poll meet; a failing returns read leaves the orders be.
            try:
                returns = await adapter.open_returns(skip=unreadable.append)
            except MarketplaceError as exc:
                result.returns_error = str(exc) or type(exc).__name__
                returns = []
            for notice in returns:
                return_id = notice.return_id or notice.rma_id  # as bol lists it, like an unreadable one
                if await self._handed_over(unreadable, "return", return_id, self._forward_return(channel, notice)):
                    result.returns_forwarded += 1
            if result.returns_error is None:  # a failed read says nothing of which returns are still open
                await self.late_returns.check(channel, adapter.marketplace, returns, now)
            # At the returns' pace: an answer is expected within hours, not seconds.
            try:
                await self.tickets.check(channel, adapter, now)
            except (MarketplaceError, ValueError) as exc:  # ValueError: a ticket in a shape we cannot read
                log.warning("tickets of %s could not be read: %s", channel, exc)
        for item in unreadable:
            log.warning("intake of %s skipped %s", channel, item.describe())
        result.unreadable = unreadable
        return result

    @staticmethod
    async def _handed_over(
        unreadable: list[UnreadableItem], kind: str, item_id: str, hand_over: Coroutine[Any, Any, bool]
    ) -> bool:
        """Temporal refusing one item's start or signal (an id it cannot take,
        a payload too large) is that item's problem; Temporal being down is
        everyone's, and retries the poll."""
        try:
            return await hand_over
        except RPCError as exc:
            if exc.status != RPCStatusCode.INVALID_ARGUMENT:
                raise
            unreadable.append(
                UnreadableItem.model_validate(
                    {"kind": kind, "item_id": item_id, "reason": f"Temporal refused it: {exc.message}"}
                )
            )
            return False

    async def forward_returns(self, channel: str) -> int:
        """Read the channel's open returns now and signal the new ones to their
        orders (a push said returns changed); returns how many were new."""
        unreadable: list[UnreadableItem] = []
        forwarded = 0
        for notice in await self.channels[channel].open_returns(skip=unreadable.append):
            forwarded += await self._forward_return(channel, notice)
        for item in unreadable:
            log.warning("returns of %s skipped %s", channel, item.describe())
        return forwarded

    async def dispatch_order(self, channel: str, change: OrderChange) -> bool:
        """Start the order's workflow, or signal it a buyer's cancellation
        request. Returns False when there was nothing new to hand over."""
        key = (channel, change.marketplace_order_id)
        requested = tuple(sorted(change.cancellation_requested_line_ids))
        if not change.open or not self._seen.is_new(key, requested):
            return False
        config = self.channels.configs[channel]
        with trace.get_tracer(__name__).start_as_current_span("HandOverOrder"):
            tag_order(channel, change.marketplace_order_id)
            await self._start_order(channel, change, config, requested)
        self._seen.remember(key, requested)
        return True

    async def _start_order(
        self, channel: str, change: OrderChange, config: ChannelConfig, requested: tuple[str, ...]
    ) -> None:
        ref = OrderRef(
            channel=channel, marketplace=config.marketplace, marketplace_order_id=change.marketplace_order_id
        )
        start = await prepare_start(self.channels, ref, self.accept)
        workflow_input = OrderWorkflowInput(
            channel=channel,
            marketplace=config.marketplace,
            marketplace_order_id=change.marketplace_order_id,
            cancellation_requested_line_ids=list(requested),
            return_window=config.return_window,
            follow_delivery_events=follows_delivery_events(config),
            code_version=ORDER_CODE_VERSION,
            accepted=start.accepted,
        )
        # A buyer's cancellation seen at intake arrives with the start, as its signal.
        start_signal: str | None = None
        start_signal_args: list[BuyerCancellationRequested] = []
        if requested:
            start_signal = names.SIGNAL_BUYER_CANCELLATION
            start_signal_args = [BuyerCancellationRequested(line_ids=list(requested))]
        with contextlib.suppress(WorkflowAlreadyStartedError):  # the order finished long ago: nothing to do
            await self.client.start_workflow(
                names.ORDER_WORKFLOW,
                workflow_input,
                id=order_workflow_id(channel, change.marketplace_order_id),
                task_queue=self.task_queue,
                id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                search_attributes=start.search_attributes,
                static_summary=f"{channel} order {change.marketplace_order_id}",
                start_signal=start_signal,
                start_signal_args=start_signal_args,
                # Started from a worker's own process (its intake poll, its
                # webhook receiver), the first task goes straight to that
                # worker instead of through the task queue; elsewhere, or
                # with a start signal, the SDK starts it as usual.
                request_eager_start=start_signal is None,
            )

    async def _forward_return(self, channel: str, notice: ReturnNotice) -> bool:
        key = ("return", channel, notice.rma_id)
        if not self._seen.is_new(key, True):
            return False
        handle = self.client.get_workflow_handle(order_workflow_id(channel, notice.marketplace_order_id))
        try:
            await handle.signal(names.SIGNAL_RETURN_ANNOUNCED, notice)
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise
            await self._reopen_for_return(channel, notice)
        self._seen.remember(key, True)
        return True

    async def _reopen_for_return(self, channel: str, notice: ReturnNotice) -> None:
        """The order's workflow has closed (the return came after its window,
        or the marketplace registered it late): a new run of the same order id
        carries on from the closed run's result and handles the return. An
        order that never ran here, or ended without a result, is the portal's
        business: logged for ops."""
        workflow_id = order_workflow_id(channel, notice.marketplace_order_id)
        closed = await self._closed_order(workflow_id)
        if closed is None:
            log.warning(
                "return %s for %s order %s has no order to reopen (never ours, or it failed): handle it in the portal",
                notice.rma_id,
                channel,
                notice.marketplace_order_id,
            )
            return
        config = self.channels.configs[channel]
        await self.client.start_workflow(
            names.ORDER_WORKFLOW,
            OrderWorkflowInput(
                channel=channel,
                marketplace=config.marketplace,
                marketplace_order_id=notice.marketplace_order_id,
                return_window=config.return_window,
                follow_delivery_events=follows_delivery_events(config),
                code_version=ORDER_CODE_VERSION,
                reopened=closed,
            ),
            id=workflow_id,
            task_queue=self.task_queue,
            # A run already reopened by another return takes this one as a signal.
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            search_attributes=TypedSearchAttributes(
                start_pairs(channel, notice.marketplace_order_id, OrderStatus.RETURN_OPEN)
            ),
            static_summary=f"{channel} order {notice.marketplace_order_id}: return {notice.rma_id} after close",
            start_signal=names.SIGNAL_RETURN_ANNOUNCED,
            start_signal_args=[notice],
        )
        log.info("return %s reopened %s order %s", notice.rma_id, channel, notice.marketplace_order_id)

    async def _closed_order(self, workflow_id: str) -> OrderView | None:
        """The order as its last run ended, if it completed."""
        # The raw call: only the status is needed, and the SDK's typed reader
        # of search attributes trips on an unset datetime (ShipBy once shipped)
        # as some servers report it.
        request = DescribeWorkflowExecutionRequest(
            namespace=self.client.namespace, execution=WorkflowExecution(workflow_id=workflow_id)
        )
        try:
            described = await self.client.workflow_service.describe_workflow_execution(request)
        except RPCError as exc:
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise
            return None
        if described.workflow_execution_info.status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED:
            return None
        return await self.client.get_workflow_handle(workflow_id, result_type=OrderView).result()
