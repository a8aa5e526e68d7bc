"""Billable actions per order, counted from the recorded histories (issue 12).

`pytest -s tests/unit/test_actions.py` prints what every recorded branch costs."""

from pathlib import Path

from temporalio.api.common.v1 import MeteringMetadata, Payload, SearchAttributes
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import (
    ActivityTaskStartedEventAttributes,
    HistoryEvent,
    MarkerRecordedEventAttributes,
    UpsertWorkflowSearchAttributesEventAttributes,
    WorkflowTaskCompletedEventAttributes,
)

from workers.actions import ActionCount, count_actions, count_events
from workers.replay import history_from_file

HISTORIES = Path(__file__).parent.parent / "histories"
BRANCHES = sorted(HISTORIES.glob("*.json"))
# Recorded with the code before `fewer-actions` (issue 12): what orders cost until then.
BEFORE = HISTORIES / "before-fewer-actions"
# Recorded before intake's returns poll became the return SLA's clock: a timer per return.
SLA_TIMER = HISTORIES / "before-return-sla-from-intake"
# Recorded before intake accepted orders before starting them: the workflow's
# first task ran accept as a local activity and checked its patches (markers).
ACCEPTED_IN_WORKFLOW = HISTORIES / "before-accept-at-start"


def actions_of(name: str, where: Path = HISTORIES) -> ActionCount:
    return count_actions(history_from_file(where / f"{name}.json"))


def test_print_what_every_recorded_order_costs():
    assert BRANCHES
    for path in BRANCHES:
        count = count_actions(history_from_file(path))
        before = BEFORE / path.name
        was = f" (before fewer-actions: {count_actions(history_from_file(before)).total})" if before.exists() else ""
        print(f"{path.stem}: {count.line()}{was}")
        assert count.total == sum(count.breakdown().values())
        kinds = count.breakdown()
        assert kinds.get("start", 0) + kinds.get("signal_with_start", 0) == 1


def test_full_lifecycle_with_return_counted_by_hand():
    # Events in the JSON: started (1); markers in workflow tasks 3 (patch +
    # accept), 14 (transporter) and 24 (patch): 3 tasks; upserts 8, 9, 19, 28,
    # 29, 36, 53, 59 (6 and 27 only set TemporalChangeVersion: free); timers
    # 30, 37, 54; signal 31 (return announced); updates 16 (pick) and 44
    # (return received); activities 20 (ship_lines) and 47 (handle_return),
    # each started once.
    assert actions_of("order-full-lifecycle-with-return", BEFORE).breakdown() == {
        "start": 1,
        "timer": 3,
        "upsert": 8,
        "signal": 1,
        "update": 2,
        "activity_attempt": 2,
        "marker_workflow_task": 3,
    }
    assert actions_of("order-full-lifecycle-with-return", BEFORE).total == 20


def test_buyer_cancels_before_pick_counted_by_hand():
    # started; markers 5 and 7 both in workflow task 3; upserts 8, 9, 23 (6 is
    # the patch's TemporalChangeVersion); signal 13; activity 17 (cancel_line).
    assert actions_of("order-buyer-cancels-before-pick", BEFORE).breakdown() == {
        "start": 1,
        "upsert": 3,
        "signal": 1,
        "activity_attempt": 1,
        "marker_workflow_task": 1,
    }


def _event(event_id: int, kind: "EventType.ValueType", **attributes: object) -> HistoryEvent:
    return HistoryEvent(event_id=event_id, event_type=kind, **attributes)  # type: ignore[arg-type]  # each attributes message has its own stub type; **object cannot name them


def _upsert(event_id: int, *names: str) -> HistoryEvent:
    fields = {name: Payload(data=b'"x"') for name in names}
    return _event(
        event_id,
        EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
        upsert_workflow_search_attributes_event_attributes=UpsertWorkflowSearchAttributesEventAttributes(
            search_attributes=SearchAttributes(indexed_fields=fields)
        ),
    )


def _marker(event_id: int, task: int) -> HistoryEvent:
    return _event(
        event_id,
        EventType.EVENT_TYPE_MARKER_RECORDED,
        marker_recorded_event_attributes=MarkerRecordedEventAttributes(
            marker_name="core_local_activity", workflow_task_completed_event_id=task
        ),
    )


def test_an_upsert_of_only_the_change_version_is_free():
    assert count_events([_upsert(5, "TemporalChangeVersion")]).total == 0
    assert count_events([_upsert(5, "TemporalChangeVersion", "OrderStatus")]).breakdown() == {"upsert": 1}
    assert count_events([_upsert(5, "OrderStatus")]).breakdown() == {"upsert": 1}


def test_markers_count_once_per_workflow_task():
    completed = _event(4, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
    later = _event(9, EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
    assert count_events([completed, _marker(5, 4), _marker(6, 4)]).breakdown() == {"marker_workflow_task": 1}
    assert count_events([completed, _marker(5, 4), later, _marker(10, 9)]).breakdown() == {"marker_workflow_task": 2}


def test_every_activity_attempt_counts():
    scheduled = _event(5, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
    started = _event(
        6,
        EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED,
        activity_task_started_event_attributes=ActivityTaskStartedEventAttributes(scheduled_event_id=5, attempt=3),
    )
    assert count_events([scheduled, started]).breakdown() == {"activity_attempt": 3}
    assert count_events([scheduled]).breakdown() == {"activity_attempt": 1}  # never started yet


def test_timers_signals_updates_and_starts_count_one_each():
    events = [
        _event(1, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED),
        _event(2, EventType.EVENT_TYPE_TIMER_STARTED),
        _event(3, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
        _event(4, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED),
        _event(5, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED),
        _event(6, EventType.EVENT_TYPE_TIMER_FIRED),
    ]
    assert count_events(events).breakdown() == {"start": 1, "timer": 1, "signal": 1, "update": 1}


def test_signal_with_start_is_one_action():
    started = _event(1, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)
    signalled = _event(2, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)
    task = _event(3, EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
    later_signal = _event(7, EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED)
    assert count_events([started, signalled, task]).breakdown() == {"signal_with_start": 1}
    assert count_events([started, task, later_signal]).breakdown() == {"start": 1, "signal": 1}


def test_a_child_workflow_start_is_two_actions_and_local_activity_retries_count():
    child = _event(5, EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED)
    completed = _event(
        4,
        EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
        workflow_task_completed_event_attributes=WorkflowTaskCompletedEventAttributes(
            metering_metadata=MeteringMetadata(nonfirst_local_activity_execution_attempts=2)
        ),
    )
    assert count_events([completed, child]).breakdown() == {"child_workflow": 2, "local_activity_retry": 2}


def test_the_happy_path_counted_by_hand():
    # Started as intake starts it: accepted before the start, OrderStatus
    # AWAITING_PICK and ShipBy given at start (free), its code version told
    # by its input: the first workflow task records no marker. The pick update
    # and ship_lines (choosing the transporter itself) next; once shipped one
    # upsert (SHIPPED, ShipBy cleared) and the return window's timer; CLOSED
    # when it fires. Was 13 (before fewer-actions), then 7 (accept's local
    # activity and the patches' markers in the first task: one marker task).
    assert actions_of("order-happy-path").breakdown() == {
        "start": 1,
        "timer": 1,
        "upsert": 2,
        "update": 1,
        "activity_attempt": 1,
    }
    assert actions_of("order-happy-path", BEFORE).total == 13
    assert actions_of("order-happy-path", ACCEPTED_IN_WORKFLOW).breakdown()["marker_workflow_task"] == 1
    assert actions_of("order-happy-path", ACCEPTED_IN_WORKFLOW).total == 7


def test_an_order_costs_no_more_than_the_goal():
    assert actions_of("order-happy-path").total <= 7
    # With a return: the signal, the return_received update, handle_return,
    # and RETURN_OPEN published and withdrawn: 5 on top (7 before fewer-actions,
    # 6 before return-sla-from-intake: the SLA's own timer). A late return
    # costs intake's returns_overdue signal instead.
    assert actions_of("order-full-lifecycle-with-return").total <= 11
    assert actions_of("order-full-lifecycle-with-return", ACCEPTED_IN_WORKFLOW).total == 12
    assert actions_of("order-full-lifecycle-with-return", SLA_TIMER).breakdown()["timer"] == 2
    assert actions_of("order-full-lifecycle-with-return").breakdown()["timer"] == 1
