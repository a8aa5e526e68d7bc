"""`bench burst` reads every order's history: how long each workflow task
took, and which ones the worker never completed in time (a task that timed
out is the 10 s outlier in a burst's maximum, and names the order to look at)."""

from datetime import UTC, datetime, timedelta

from google.protobuf.timestamp_pb2 import Timestamp
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import (
    ActivityTaskScheduledEventAttributes,
    HistoryEvent,
    MarkerRecordedEventAttributes,
    WorkflowExecutionStartedEventAttributes,
)

from starter.bench.burst import LOCAL_ACTIVITY_MARKER, _summarise

T0 = datetime(2026, 12, 3, 19, 0, tzinfo=UTC)


def _event(kind: EventType.ValueType, after_ms: float, **attributes) -> HistoryEvent:
    at = Timestamp()
    at.FromDatetime(T0 + timedelta(milliseconds=after_ms))
    return HistoryEvent(event_type=kind, event_time=at, **attributes)


def test_a_task_that_timed_out_is_named_with_its_order_and_its_number():
    started = WorkflowExecutionStartedEventAttributes()
    started.workflow_type.name = "OrderWorkflow"
    events = [
        _event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, 0, workflow_execution_started_event_attributes=started),
        _event(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, 0),
        _event(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, 5),
        _event(EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT, 10_005),
        _event(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, 10_005),
        _event(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, 10_030),
        _event(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, 10_080),
    ]
    history = _summarise("order:bol:1001", events)
    assert history.workflow_type == "OrderWorkflow"
    assert history.tasks_ms == [10_000, 50]
    assert history.queued_ms == [5, 25]
    assert history.timed_out == [1]


def test_tasks_that_completed_are_not_counted_as_timed_out():
    events = [
        _event(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, 0),
        _event(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, 1),
        _event(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, 1_500),
    ]
    assert _summarise("order:bol:1002", events).timed_out == []


def test_a_first_task_that_ran_the_accept_is_told_apart():
    """The receiver could not accept the order: its first workflow task ran
    the accept as a local activity, whose marker follows the task."""
    marker = MarkerRecordedEventAttributes(marker_name=LOCAL_ACTIVITY_MARKER)
    accepting = [
        _event(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, 0),
        _event(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, 1),
        _event(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, 1_200),
        _event(EventType.EVENT_TYPE_MARKER_RECORDED, 1_200, marker_recorded_event_attributes=marker),
    ]
    scheduled = ActivityTaskScheduledEventAttributes()
    scheduled.activity_type.name = "accept_order"
    in_an_activity = [
        *accepting[:3],
        _event(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, 5, activity_task_scheduled_event_attributes=scheduled),
    ]
    accepted_before = accepting[:3]
    assert _summarise("order:bol:1003", accepting).accepted_in_workflow
    assert _summarise("order:bol:1005", in_an_activity).accepted_in_workflow
    assert not _summarise("order:bol:1004", accepted_before).accepted_in_workflow
