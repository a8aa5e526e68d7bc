"""What a workflow run costs in Temporal Cloud billable actions, counted from
its event history. Pure counting: no I/O, no client.

The rules follow Temporal's published list, "Temporal Cloud Actions"
(https://docs.temporal.io/cloud/actions, also served at
https://docs.temporal.io/evaluate/cloud/actions), and the action list on
"Temporal Cloud pricing" (https://docs.temporal.io/cloud/pricing). Per event:

- WORKFLOW_EXECUTION_STARTED: 1 ``start`` (client start, signal-with-start,
  continue-as-new and child starts all show up as the new run's STARTED event;
  search attributes given at start are free).
- START_CHILD_WORKFLOW_EXECUTION_INITIATED: 1 ``child_workflow`` in the
  parent's history. Count the parent's history OR the child's, not both: the
  child's own STARTED event is the same action.
- WORKFLOW_EXECUTION_CONTINUED_AS_NEW: 0 here; the new run is billed as a
  start, and that STARTED event is in the new run's history.
- TIMER_STARTED: 1 ``timer``, including the implicit timers of a
  ``workflow.wait_condition(..., timeout=...)``.
- UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: 1 ``upsert``, except one that only sets
  ``TemporalChangeVersion`` (written by ``workflow.patched``): that one is free.
- WORKFLOW_EXECUTION_SIGNALED: 1 ``signal`` (the signal of signal-with-start
  too). A signal sent from inside a workflow is counted in the receiver's
  history, not from SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED.
- WORKFLOW_EXECUTION_UPDATE_ACCEPTED: 1 ``update``. Rejected updates are
  billed too but are NOT in history (a validator's rejection writes no event):
  whoever sends updates has to count those.
- ACTIVITY_TASK_SCHEDULED: 1 ``activity_attempt`` per attempt. The history
  keeps only the last attempt's ACTIVITY_TASK_STARTED event, whose ``attempt``
  field says how many there were; an activity that never started counts 1.
- MARKER_RECORDED: local activities are not billed per attempt; instead each
  workflow task that records any marker (local activity results,
  ``workflow.patched`` markers, side effects) costs 1 ``marker_workflow_task``,
  however many markers it records. The task is the marker's
  ``workflow_task_completed_event_id``.

Not in history, so not counted here: queries (1 action each; whoever sends
them counts them — the throughput benchmark's driver sends none, its
warehouse finds orders through visibility, which is not billed) and activity
heartbeats that reach the server (1 action each). Heartbeats cannot be counted
from history at all: no event records them, and the SDK throttles them, so the
activity's own calls overcount. In an order only the bol adapter heartbeats,
every 5 s while it waits on a process status (the sandbox answers in
milliseconds, so a benchmark run has none). Workflow resets, schedules, Nexus
operations and exports are billed too; the order workflow uses none of them.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory

START = "start"
CHILD_WORKFLOW = "child_workflow"
TIMER = "timer"
UPSERT = "upsert"
SIGNAL = "signal"
UPDATE = "update"
ACTIVITY_ATTEMPT = "activity_attempt"
MARKER_WORKFLOW_TASK = "marker_workflow_task"
QUERY = "query"
HEARTBEAT = "heartbeat"

KINDS = (START, CHILD_WORKFLOW, TIMER, UPSERT, SIGNAL, UPDATE, ACTIVITY_ATTEMPT, MARKER_WORKFLOW_TASK, QUERY, HEARTBEAT)

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
    for event in events:
        kind = event.event_type
        if kind == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            last_completed_task = event.event_id
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
            count.add(START)
        elif kind == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
            count.add(CHILD_WORKFLOW)
        elif kind == EventType.EVENT_TYPE_TIMER_STARTED:
            count.add(TIMER)
        elif kind == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
            if _billed_upsert(event):
                count.add(UPSERT)
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
            count.add(SIGNAL)
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
            count.add(UPDATE)
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            attempts[event.event_id] = 1
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            started = event.activity_task_started_event_attributes
            attempts[started.scheduled_event_id] = max(1, started.attempt)
        elif kind == EventType.EVENT_TYPE_MARKER_RECORDED:
            task = event.marker_recorded_event_attributes.workflow_task_completed_event_id
            marker_tasks.add(task or last_completed_task)
    count.add(ACTIVITY_ATTEMPT, sum(attempts.values()))
    count.add(MARKER_WORKFLOW_TASK, len(marker_tasks))
    return count


def count_actions(history: WorkflowHistory) -> ActionCount:
    """The billable actions in one workflow run's history."""
    return count_events(history.events)
