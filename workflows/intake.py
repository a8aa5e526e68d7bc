"""ChannelIntakeWorkflow: one per channel (`intake:{channel}`). Hands every
order of the channel to its own workflow. The polling itself runs inside
long activities (one per minute, the cursor in their heartbeat), so a poll
every few seconds costs Temporal nothing; the workflow continues as new to
stay small over months."""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.intake import IntakeActivities
    from domain import names
    from domain.alerts.messages import AlertsChanged
    from domain.intake import (
        IntakeInput,
        IntakeState,
        IntakeWatch,
        UnreadableItem,
        merge_unreadable,
        still_unreadable,
    )


WATCH_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2), maximum_interval=timedelta(minutes=1), maximum_attempts=5
)
# An intake that cannot reach its channel waits this long before it tries again.
AFTER_FAILURE = timedelta(seconds=30)
# Histories from before intake reported unreadable items never set NeedsAttention.
REPORTS_UNREADABLE = "intake-reports-unreadable-items"


@workflow.defn(name=names.INTAKE_WORKFLOW)
class ChannelIntakeWorkflow:
    @workflow.init
    def __init__(self, intake: IntakeInput) -> None:
        self._state = IntakeState(
            channel=intake.channel, cursor=intake.cursor, swept_at=intake.swept_at, unreadable=intake.unreadable
        )
        self._problems = [f"**skipped {item.describe()}**" for item in intake.unreadable]
        self._alerts = intake.alerts

    @workflow.run
    async def run(self, intake: IntakeInput) -> None:
        for _ in range(intake.watches_per_run):
            await self._watch(intake)
            if workflow.info().is_continue_as_new_suggested():
                break
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(
            intake.model_copy(
                update={
                    "cursor": self._state.cursor,
                    "swept_at": self._state.swept_at,
                    "unreadable": self._state.unreadable,
                    "alerts": self._alerts,
                }
            )
        )

    async def _watch(self, intake: IntakeInput) -> None:
        state = self._state
        polling = f"Polling {state.channel} every {intake.poll_interval.total_seconds():g}s"
        workflow.set_current_details("; ".join([polling, *self._problems, *self._alert_details()]))
        try:
            result = await workflow.execute_activity_method(
                IntakeActivities.watch_channel,
                IntakeWatch(
                    channel=state.channel,
                    cursor=state.cursor,
                    swept_at=state.swept_at,
                    interval=intake.poll_interval,
                    duration=intake.watch,
                ),
                start_to_close_timeout=intake.watch + timedelta(minutes=5),
                heartbeat_timeout=max(timedelta(seconds=30), 3 * intake.poll_interval),
                retry_policy=WATCH_RETRY,
                summary=f"poll {state.channel} for {intake.watch.total_seconds():g}s",
            )
        except ActivityError as err:
            # Keep the cursor: the next watch covers the gap. An intake that
            # cannot poll must not die; ops read the reason in its details.
            state.last_error = str(err.cause or err)
            workflow.set_current_details(
                f"**Polling {state.channel} fails**: {state.last_error}; retrying in {AFTER_FAILURE}"
            )
            await workflow.sleep(AFTER_FAILURE)
            return
        swept = result.swept_at != state.swept_at
        state.cursor = result.cursor
        state.swept_at = result.swept_at  # carried through the watch: the last sweep, this one's or an earlier one
        self._report(still_unreadable(state.unreadable, result, swept))
        self._problems = [f"**skipped {item.describe()}**" for item in state.unreadable]
        if result.returns_error:
            self._problems.append(f"**returns could not be read**: {result.returns_error}")
        state.polls += result.polls
        state.orders_started += result.orders_started
        state.last = result
        state.last_error = None

    def _report(self, unreadable: list[UnreadableItem]) -> None:
        """Skipped items make the intake NeedsAttention, named in its details,
        until they are read; the search attribute changes only when that does
        (one upsert, not one per watch)."""
        state = self._state
        before, after = bool(state.unreadable) or bool(self._alerts), bool(unreadable) or bool(self._alerts)
        if before != after and workflow.patched(REPORTS_UNREADABLE):
            workflow.upsert_search_attributes([names.NEEDS_ATTENTION.value_set(after)])
        state.unreadable = unreadable

    def _alert_details(self) -> list[str]:
        return [f"**open alerts**: {self._alerts} (ordertide alerts)"] if self._alerts else []

    @workflow.signal(name=names.SIGNAL_ALERTS_CHANGED)
    def alerts_changed(self, change: AlertsChanged) -> None:
        """From the alert evaluation, only when the channel's alerts change."""
        before = bool(self._state.unreadable) or bool(self._alerts)
        self._alerts = change.alerts
        after = bool(self._state.unreadable) or bool(self._alerts)
        if before != after:
            workflow.upsert_search_attributes([names.NEEDS_ATTENTION.value_set(after)])
        workflow.set_current_details(
            "; ".join([f"Polling {self._state.channel}", *self._problems, *self._alert_details()])
        )

    @workflow.signal(name=names.SIGNAL_PUSH_REFUSED)
    def push_refused(self, item: UnreadableItem) -> None:
        """A push the receiver refused though it was signed (a malformed
        order): named here, NeedsAttention, like an order a poll could not
        read, until a sweep. Only histories with such a signal run this."""
        unreadable = merge_unreadable(self._state.unreadable, [item])
        if not self._state.unreadable and not self._alerts:
            workflow.upsert_search_attributes([names.NEEDS_ATTENTION.value_set(True)])
        self._state.unreadable = unreadable
        self._problems = [f"**skipped {i.describe()}**" for i in unreadable]
        workflow.set_current_details(
            "; ".join([f"Polling {self._state.channel}", *self._problems, *self._alert_details()])
        )

    @workflow.query
    def state(self) -> IntakeState:
        return self._state
