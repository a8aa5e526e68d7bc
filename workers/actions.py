"""What a workflow run costs in Temporal Cloud billable actions, counted from
its event history. Pure counting: no I/O, no client.

The rules are Temporal's published list, "Temporal Cloud Actions"
(https://docs.temporal.io/cloud/actions, source
`temporalio/documentation` docs/evaluate/cloud/actions.mdx), which also maps
each action to the history event that records it. Per event:

- WORKFLOW_EXECUTION_STARTED: 1 ``start`` (client start, continue-as-new and
  child starts all show up as the new run's STARTED event; search attributes
  given at start are free).
- WORKFLOW_EXECUTION_STARTED immediately followed by
  WORKFLOW_EXECUTION_SIGNALED is a signal-with-start: "one total action",
  counted as 1 ``signal_with_start`` instead of a start and a signal.
- START_CHILD_WORKFLOW_EXECUTION_INITIATED: 2 ``child_workflow`` in the
  parent's history (the recorded intent and the start attempt).
- WORKFLOW_EXECUTION_CONTINUED_AS_NEW: 0 here; the new run's STARTED event,
  in the new run's history, is the billed start.
- TIMER_STARTED: 1 ``timer``, including the implicit timers of a
  ``workflow.wait_condition(..., timeout=...)``.
- UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: 1 ``upsert`` per command however many
  attributes it sets, except one that only sets ``TemporalChangeVersion``
  (written by ``workflow.patched``): that one is exempt.
- WORKFLOW_EXECUTION_SIGNALED: 1 ``signal``. A signal sent from another
  workflow is billed once, shown in the receiver's history; the sender's
  SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED is not counted again.
- WORKFLOW_EXECUTION_UPDATE_ACCEPTED: 1 ``update``. Rejected updates are
  billed too but are never written to history (a validator's rejection
  leaves no event): whoever sends updates has to count those.
- ACTIVITY_TASK_SCHEDULED: 1 ``activity_attempt`` per attempt. History keeps
  only the last attempt's ACTIVITY_TASK_STARTED, whose ``attempt`` field is
  the number of attempts; an activity that never started (or whose retry was
  cut short by termination) counts 1.
- MARKER_RECORDED: local activities are not billed per attempt; all the
  RecordMarker commands of one workflow task (local activity results,
  ``workflow.patched`` markers, side effects) count as 1
  ``marker_workflow_task``. The task is the marker's
  ``workflow_task_completed_event_id``.
- WORKFLOW_TASK_COMPLETED: its ``metering_metadata.
  nonfirst_local_activity_execution_attempts`` counts local activity retries
  (``local_activity_retry``).
- WORKFLOW_EXECUTION_OPTIONS_UPDATED: 1 ``options_update``; WORKFLOW_TASK_FAILED
  with cause RESET_WORKFLOW: 1 ``reset``; NEXUS_OPERATION_SCHEDULED and
  NEXUS_OPERATION_CANCEL_REQUESTED: 1 ``nexus`` each. The order workflow uses
  none of these.

Not in history, so not counted here: queries (1 action each), rejected
updates, workflow task heartbeats (a local activity outliving the workflow
task timeout), a schedule's own two actions per run, exports, and activity
heartbeats that reach the server (1 action each). Heartbeats and queries
are counted where they arrive instead: the server's request counters
(workers/server_metrics.py), which the benchmarks read. The SDK sends an
activity's first heartbeat at once, so an activity that heartbeats as it
starts costs one more action however fast it is; ours beat only once they
have run for a few seconds (activities/heartbeat.py).
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from temporalio.api.enums.v1 import EventType, WorkflowTaskFailedCause
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory

START = "start"
SIGNAL_WITH_START = "signal_with_start"
CHILD_WORKFLOW = "child_workflow"
TIMER = "timer"
UPSERT = "upsert"
SIGNAL = "signal"
UPDATE = "update"
ACTIVITY_ATTEMPT = "activity_attempt"
MARKER_WORKFLOW_TASK = "marker_workflow_task"
LOCAL_ACTIVITY_RETRY = "local_activity_retry"
OPTIONS_UPDATE = "options_update"
RESET = "reset"
NEXUS = "nexus"
# Not in history: for callers that count them where they are sent (ActionCount.add).
QUERY = "query"
HEARTBEAT = "heartbeat"

KINDS = (
    START,
    SIGNAL_WITH_START,
    CHILD_WORKFLOW,
    TIMER,
    UPSERT,
    SIGNAL,
    UPDATE,
    ACTIVITY_ATTEMPT,
    MARKER_WORKFLOW_TASK,
    LOCAL_ACTIVITY_RETRY,
    OPTIONS_UPDATE,
    RESET,
    NEXUS,
    QUERY,
    HEARTBEAT,
)
# One action each, no questions asked.
_ONE_EACH = {
    EventType.EVENT_TYPE_TIMER_STARTED: TIMER,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: UPDATE,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED: OPTIONS_UPDATE,
    EventType.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED: NEXUS,
    EventType.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUESTED: NEXUS,
}

# Written by workflow.patched; an upsert of only this attribute is not billed.
CHANGE_VERSION = "TemporalChangeVersion"


@dataclass
class ActionCount:
    """Billable actions per kind; ``total`` is their sum."""

    by_kind: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    def add(self, kind: str, count: int = 1) -> None:
        if count:
            self.by_kind[kind] += count
            if not self.by_kind[kind]:
                del self.by_kind[kind]

    def __add__(self, other: "ActionCount") -> "ActionCount":
        return ActionCount(self.by_kind + other.by_kind)

    def breakdown(self) -> dict[str, int]:
        """Non-zero kinds in a fixed order, for printing and JSON."""
        return {kind: self.by_kind[kind] for kind in KINDS if self.by_kind[kind]}

    def line(self) -> str:
        return f"{self.total} actions: " + ", ".join(f"{kind} {n}" for kind, n in self.breakdown().items())


def _billed_upsert(event: HistoryEvent) -> bool:
    fields = event.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields
    return set(fields) != {CHANGE_VERSION}


def count_events(events: Iterable[HistoryEvent]) -> ActionCount:
    """The billable actions recorded in one run's history events."""
    count = ActionCount()
    attempts: dict[int, int] = {}  # scheduled event id -> attempts seen
    marker_tasks: set[int] = set()
    last_completed_task = 0
    previous: EventType.ValueType | None = None
    for event in events:
        kind = event.event_type
        if kind in _ONE_EACH:
            count.add(_ONE_EACH[kind])
        elif kind == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            last_completed_task = event.event_id
            metering = event.workflow_task_completed_event_attributes.metering_metadata
            count.add(LOCAL_ACTIVITY_RETRY, metering.nonfirst_local_activity_execution_attempts)
        elif kind == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
            if event.workflow_task_failed_event_attributes.cause == (
                WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW
            ):
                count.add(RESET)
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
            count.add(START)
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
            if previous == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
                # Signal-with-start: one action for the start and its signal.
                # Only it puts a signal right after the start: a plain start
                # writes its first workflow task in the same batch, so a later
                # signal always follows that.
                count.add(START, -1)
                count.add(SIGNAL_WITH_START)
            else:
                count.add(SIGNAL)
        elif kind == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
            count.add(CHILD_WORKFLOW, 2)
        elif kind == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
            if _billed_upsert(event):
                count.add(UPSERT)
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attempts[event.event_id] = 1
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            started = event.activity_task_started_event_attributes
            attempts[started.scheduled_event_id] = max(1, started.attempt)
        elif kind == EventType.EVENT_TYPE_MARKER_RECORDED:
            task = event.marker_recorded_event_attributes.workflow_task_completed_event_id
            marker_tasks.add(task or last_completed_task)
        previous = kind
    count.add(ACTIVITY_ATTEMPT, sum(attempts.values()))
    count.add(MARKER_WORKFLOW_TASK, len(marker_tasks))
    return count


def count_actions(history: WorkflowHistory) -> ActionCount:
    """The billable actions in one workflow run's history."""
    return count_events(history.events)
