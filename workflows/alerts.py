"""The alert workflows.

AlertEvaluationWorkflow runs on a Temporal Schedule (`alerts-evaluation`,
every few minutes): one activity evaluates the conditions and keeps the open
alerts in the store; each message then goes to each sink in an activity of
its own, retried until the next evaluation is due, so a failing sink never
holds up the others or the evaluation. AlertsWorkflow (`alerts`) lives long
and only shows the open alerts in its current details, for the Web UI."""

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.alerts.evaluate import AlertActivities
    from domain import names
    from domain.alerts.messages import AlertsInput, EvaluationInput, NotifyRequest, PublishRequest, details
    from domain.alerts.model import OpenAlert

EVALUATE_RETRY = RetryPolicy(initial_interval=timedelta(seconds=5), maximum_attempts=3)
SINK_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=30))


@workflow.defn(name=names.ALERT_EVALUATION_WORKFLOW)
class AlertEvaluationWorkflow:
    @workflow.run
    async def run(self, request: EvaluationInput) -> int:
        found = await workflow.execute_activity_method(
            AlertActivities.evaluate_alerts,
            start_to_close_timeout=timedelta(minutes=2),
            retry_policy=EVALUATE_RETRY,
            summary="evaluate alert conditions",
        )
        # Given up before the next evaluation is due, so a sink that stays
        # down never makes the schedule skip one (its overlap policy is SKIP).
        give_up = max(request.every * 0.8, timedelta(seconds=10))
        # Rounds recorded before the outbox carry no deliveries: their
        # events go to every sink, as they did, so their histories replay.
        requests = found.deliveries or [
            NotifyRequest(sink=sink, event=event) for event in found.events for sink in found.sinks
        ]
        sends = [
            workflow.execute_activity_method(
                AlertActivities.notify,
                request,
                start_to_close_timeout=timedelta(seconds=30),
                schedule_to_close_timeout=give_up,
                retry_policy=SINK_RETRY,
                summary=f"{request.event.change} {request.event.alert.key} to {request.sink}",
            )
            for request in requests
        ]
        publish = None
        if found.events or found.attention:
            publish = workflow.execute_activity_method(
                AlertActivities.publish,
                PublishRequest(attention=found.attention, open=found.open),
                start_to_close_timeout=timedelta(minutes=1),
                schedule_to_close_timeout=give_up,
                summary="show alerts on the affected workflows",
            )
        # A sink that stays down loses this message, and only it: the log has it.
        outcomes = await asyncio.gather(*sends, *([publish] if publish else []), return_exceptions=True)
        failed = [o for o in outcomes if isinstance(o, BaseException)]
        for failure in failed:
            workflow.logger.warning("alert message not delivered: %s", failure)
        return len(found.events)


@workflow.defn(name=names.ALERTS_WORKFLOW)
class AlertsWorkflow:
    @workflow.init
    def __init__(self, state: AlertsInput) -> None:
        self._open = state.open
        self._updates = 0

    @workflow.run
    async def run(self, state: AlertsInput) -> None:
        workflow.set_current_details(details(self._open))
        await workflow.wait_condition(
            lambda: self._updates >= state.updates_per_run or workflow.info().is_continue_as_new_suggested()
        )
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(state.model_copy(update={"open": self._open}))

    @workflow.signal(name=names.SIGNAL_OPEN_ALERTS)
    def open_alerts(self, alerts: list[OpenAlert]) -> None:
        self._open = alerts
        self._updates += 1
        workflow.set_current_details(details(alerts))

    @workflow.query
    def current(self) -> list[OpenAlert]:
        return self._open
