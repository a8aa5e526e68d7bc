"""OfferSyncWorkflow: one per channel (`offer-sync:{channel}`), started on
demand by the first stock or price change. Changes arriving within a short
window are coalesced, so a hundred sales of one SKU cost one stock call;
continue-as-new carries the pending set, so nothing is dropped and the
history stays small over months.

A round, once nothing else waits, listens for the channel's further changes
for up to `offer_sync_listen` (activities/offer_rounds.py): a stream of
sales reaches it through the store, with no signal and no round per sale.
Meanwhile the workflow only waits; the nightly reconciliation, or one asked
for, starts beside it (code version 2)."""

import asyncio
import contextlib
import itertools
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.offer_sync import OfferSyncActivities
    from domain import names
    from domain.errors import BUSINESS_ERROR_TYPE
    from domain.ids import offer_reconcile_workflow_id
    from domain.offers.sync import (
        OFFER_SYNC_CODE_VERSION,
        ROUNDS_PER_RUN,
        OffersChanged,
        OfferSyncInput,
        OfferSyncState,
        ReconcileInput,
        ReconcileResult,
        SyncOffersInput,
    )
    from workflows.offer_reconcile import OfferReconcileWorkflow


SYNC_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(minutes=1),
    non_retryable_error_types=[BUSINESS_ERROR_TYPE],
)
RETRY_AFTER_FAILURE = timedelta(minutes=5)
# Reconciliation runs in a workflow of its own, beside the sync loop.
RECONCILE_APART = "reconcile-apart"
# Every payload (an activity's input, what continue-as-new carries) must stay
# under Temporal's 2 MB, however many SKUs changed at once. SKUs of up to 200
# characters keep these under 0.5 and 1 MB.
BOUNDED_PAYLOADS = "bounded-payloads"
MAX_BATCH = 2_000
MAX_CARRIED = 5_000


@workflow.defn(name=names.OFFER_SYNC_WORKFLOW)
class OfferSyncWorkflow:
    @workflow.init
    def __init__(self, sync: OfferSyncInput) -> None:
        # In the order changes came in (the latest last), so that during a
        # large backlog the next round takes the latest.
        self._pending: dict[str, None] = dict.fromkeys(sync.pending)
        self._state = OfferSyncState(channel=sync.channel)
        self._reconcile_now = False
        # The earliest change waiting for the next round (sender's clock),
        # and per offer updated lately when the channel had that update (the
        # activity's): they only make the next activity's input, so replaying
        # older runs needs no patch.
        self._first_change_at: datetime | None = None
        self._recently_sent: dict[str, datetime] = dict(sync.recently_sent)
        # Updates the channel is still processing (bol): a follow settles them
        # beside the rounds, one at a time, each taking all there are by then.
        self._follow_wanted = sync.follow
        self._following: asyncio.Task[None] | None = None
        self._closing = False
        # A listening round stopped with changes still recorded for the channel.
        self._more_waiting = False
        self._reconcile_timer: asyncio.Task[None] | None = None
        # Code version 2: reconciliations start beside the rounds.
        self._reconciling: asyncio.Task[None] | None = None

    @workflow.signal(name=names.SIGNAL_OFFERS_CHANGED)
    def offers_changed(self, change: OffersChanged) -> None:
        at = change.changed_at
        if at is not None and change.skus and (self._first_change_at is None or at < self._first_change_at):
            self._first_change_at = at
        self._note(change.skus)

    @workflow.signal(name=names.SIGNAL_RECONCILE_NOW)
    def reconcile_now(self) -> None:
        self._reconcile_now = True

    @workflow.signal(name=names.SIGNAL_RECONCILED)
    def reconciled(self, result: ReconcileResult) -> None:
        self._state.last_reconcile = result
        self._note(result.drifted + result.vanished)
        if result.failure:
            workflow.set_current_details(f"**Reconciliation of {self._state.channel} failed**: {result.failure}")

    def _note(self, skus: list[str]) -> None:
        for sku in skus:
            self._pending.pop(sku, None)
            self._pending[sku] = None

    @workflow.query
    def state(self) -> OfferSyncState:
        return self._state.model_copy(update={"pending": len(self._pending)})

    @workflow.run
    async def run(self, sync: OfferSyncInput) -> None:
        state = self._state
        self._follow(sync)
        state.next_reconcile_at = sync.next_reconcile_at or _next_at_hour(workflow.now(), sync.reconcile_hour_utc)
        if sync.code_version >= 2:
            self._reconciling = asyncio.create_task(self._reconcile_beside(sync))
        for _ in range(sync.rounds_per_run):
            await self._wait_for_work(sync)
            if workflow.info().is_continue_as_new_suggested():
                break
            if self._reconcile_now and self._reconciling is None:
                if workflow.patched(RECONCILE_APART):
                    await self._start_reconcile(sync)
                else:
                    await self._reconcile(sync)
                continue
            await self._sync_round(sync)
        # What continue-as-new carries must fit in one payload: a backlog
        # larger than that is sent first.
        while len(self._pending) > MAX_CARRIED and workflow.patched(BOUNDED_PAYLOADS):
            await self._sync_round(sync)
        # A running follow cannot be carried over: rounds go on until it ends,
        # and a new one starts in the next run.
        self._closing = True
        while self._following is not None:
            await workflow.wait_condition(lambda: bool(self._pending) or self._following is None)
            if self._pending:
                await self._sync_round(sync)
        if self._reconciling is not None:
            await self._reconciling
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(
            sync.model_copy(
                update={
                    "pending": list(self._pending),
                    "next_reconcile_at": state.next_reconcile_at,
                    "recently_sent": self._recently_sent,
                    "follow": self._follow_wanted,
                    "code_version": OFFER_SYNC_CODE_VERSION,
                    # Runs started with longer ones (500 rounds) shorten from the next.
                    "rounds_per_run": min(sync.rounds_per_run, ROUNDS_PER_RUN),
                }
            )
        )

    async def _wait_for_work(self, sync: OfferSyncInput) -> None:
        """Until a change, a reconciliation (asked for or due) or the end of
        this run is due."""
        until_reconcile = self._until_reconcile()
        if until_reconcile <= timedelta(0):
            self._reconcile_now = True
            if self._reconciling is None:
                return

        def work() -> bool:
            return (
                bool(self._pending)
                or self._more_waiting
                or (self._reconcile_now and self._reconciling is None)
                or workflow.info().is_continue_as_new_suggested()
            )

        if sync.code_version >= 1:
            # A wait with a timeout starts (and bills) a timer every round it
            # waits for a sale: one timer until the reconciliation serves them all.
            if self._reconcile_timer is None or self._reconcile_timer.done():
                self._reconcile_timer = asyncio.create_task(self._reconcile_when_due())
            await workflow.wait_condition(work)
            return
        try:
            await workflow.wait_condition(work, timeout=until_reconcile, timeout_summary="nightly reconciliation")
        except TimeoutError:
            self._reconcile_now = True

    async def _reconcile_beside(self, sync: OfferSyncInput) -> None:
        """From code version 2: a reconciliation, due or asked for, starts at
        once, while a round listens for sales, not after it."""
        while True:
            await workflow.wait_condition(lambda: self._reconcile_now or self._closing)
            if self._closing:
                return
            await self._start_reconcile(sync)

    async def _reconcile_when_due(self) -> None:
        # A reconciliation asked for in between moves the next one on.
        while (left := self._until_reconcile()) > timedelta(0):
            await workflow.sleep(left, summary="nightly reconciliation")
        self._reconcile_now = True

    def _until_reconcile(self) -> timedelta:
        due = self._state.next_reconcile_at  # set when the run starts
        return due - workflow.now() if due else timedelta(0)

    async def _sync_round(self, sync: OfferSyncInput) -> None:
        window = sync.window
        if len(self._pending) > MAX_BATCH and workflow.patched(BOUNDED_PAYLOADS):
            # One activity's input must fit in one payload; the rest waits its
            # turn, latest changes first (a sale must not wait behind a price
            # list). Behind like this, changes coalesce on their own: no window.
            batch = sorted(itertools.islice(reversed(self._pending), MAX_BATCH))
            window = timedelta(0)
        else:
            batch = sorted(self._pending)
        for sku in batch:
            del self._pending[sku]
        window_from = self._window_from(batch, sync.window)
        # It listens for further changes once nothing else waits, and lets
        # the nightly reconciliation come in time.
        listen_until = None if self._closing or self._pending else self._state.next_reconcile_at
        listening = ", then taking further changes as they come" if listen_until else ""
        workflow.set_current_details(f"Syncing {len(batch)} offer(s) to {sync.channel}{listening}")
        try:
            result = await workflow.execute_activity_method(
                OfferSyncActivities.sync_offers,
                # The activity waits out the window (a server timer is far
                # less precise than the 250 ms this is about).
                SyncOffersInput(
                    channel=sync.channel,
                    skus=batch,
                    window=window,
                    window_from=window_from,
                    recently_sent=self._recently_sent,
                    listen_until=listen_until,
                ),
                start_to_close_timeout=timedelta(minutes=15),
                heartbeat_timeout=timedelta(minutes=1),
                retry_policy=SYNC_RETRY,
                summary=f"sync {len(batch)} offer(s){' and listen' if listen_until else ''}",
            )
        except ActivityError as err:
            # The channel refused the whole round (credentials, account): keep
            # the SKUs and try again later instead of dying or spinning.
            self._note(batch)
            workflow.set_current_details(
                f"**Offer sync to {sync.channel} fails**: {err.cause or err}; retrying in {RETRY_AFTER_FAILURE}"
            )
            await workflow.sleep(RETRY_AFTER_FAILURE)
            return
        self._recently_sent.update(result.updated_at)
        self._state.rounds += max(result.rounds, 1)
        self._state.skus_synced += max(len(batch), result.considered)
        self._state.last = result
        self._state.follows += result.follows
        self._state.last_follow = result.last_follow or self._state.last_follow
        self._more_waiting = result.more_waiting
        # What this round sent, or what an earlier run left unfollowed.
        if result.in_flight or (result.in_flight_total and self._following is None):
            self._follow_wanted = True
            self._follow(sync)
        workflow.set_current_details(
            f"Waiting for stock or price changes; last round: {result.sent} sent, "
            f"{result.accepted} accepted, {result.rejected} rejected, {result.withheld} withheld"
        )

    def _follow(self, sync: OfferSyncInput) -> None:
        """Starts a follow of the updates in flight unless one runs: the
        channel's processing never holds up the next round."""
        if self._follow_wanted and self._following is None and not self._closing:
            self._follow_wanted = False
            self._following = asyncio.create_task(self._follow_updates(sync))

    async def _follow_updates(self, sync: OfferSyncInput) -> None:
        try:
            result = await workflow.execute_activity_method(
                OfferSyncActivities.follow_offers,
                sync.channel,
                start_to_close_timeout=timedelta(minutes=15),
                heartbeat_timeout=timedelta(minutes=1),
                retry_policy=SYNC_RETRY,
                summary="follow offer updates in flight",
            )
        except ActivityError as err:
            # The updates stay in flight in the offer book: followed again later.
            workflow.set_current_details(
                f"**Following offer updates on {sync.channel} fails**: {err.cause or err}; "
                f"retrying in {RETRY_AFTER_FAILURE}"
            )
            await workflow.sleep(RETRY_AFTER_FAILURE)
            self._follow_wanted = True
        else:
            self._state.follows += 1
            self._state.last_follow = result
            self._note(result.resend)
            self._follow_wanted = self._follow_wanted or result.more
        self._following = None
        self._follow(sync)

    def _window_from(self, batch: list[str], window: timedelta) -> datetime | None:
        """The round's window runs from its first change, but for an offer
        updated in the last window from when the channel had that update: at
        most one update per offer per window. None: the whole window."""
        first, self._first_change_at = self._first_change_at, None
        now = workflow.now()
        self._recently_sent = {sku: at for sku, at in self._recently_sent.items() if now - at < window}
        if first is None:
            return None
        return max([first, *(self._recently_sent[sku] for sku in batch if sku in self._recently_sent)])

    async def _start_reconcile(self, sync: OfferSyncInput) -> None:
        self._reconcile_now = False
        self._state.next_reconcile_at = _next_at_hour(workflow.now(), sync.reconcile_hour_utc)
        # Already running: the last one is still comparing, and reports when done.
        with contextlib.suppress(WorkflowAlreadyStartedError):
            await workflow.start_child_workflow(
                OfferReconcileWorkflow.run,
                ReconcileInput(channel=sync.channel, deadline=sync.reconcile_deadline),
                id=offer_reconcile_workflow_id(sync.channel),
                # It outlives this run's continue-as-new and reports to the next one.
                parent_close_policy=ParentClosePolicy.ABANDON,
                execution_timeout=sync.reconcile_deadline + timedelta(minutes=5),
                static_summary=f"Offer reconciliation for {sync.channel}",
            )

    async def _reconcile(self, sync: OfferSyncInput) -> None:
        """Before RECONCILE_APART: in the sync loop itself. Kept for runs that started then."""
        self._reconcile_now = False
        state = self._state
        state.next_reconcile_at = _next_at_hour(workflow.now(), sync.reconcile_hour_utc)
        try:
            result = await workflow.execute_activity_method(
                OfferSyncActivities.reconcile_offers,
                sync.channel,
                start_to_close_timeout=timedelta(minutes=30),
                heartbeat_timeout=timedelta(minutes=2),
                retry_policy=SYNC_RETRY,
                summary="compare the offer export with what we believe",
            )
        except ActivityError as err:
            workflow.set_current_details(f"**Reconciliation of {sync.channel} failed**: {err.cause or err}")
            return
        state.last_reconcile = result
        self._note(result.drifted + result.vanished)


def _next_at_hour(now: datetime, hour: int) -> datetime:
    candidate = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return candidate if candidate > now else candidate + timedelta(days=1)
