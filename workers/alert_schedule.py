"""The alert evaluation's Temporal Schedule, created (or brought in line with
the configuration) whenever a worker or `ordertide run` starts."""

import logging

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleState,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from domain import names
from domain.alerts.messages import EvaluationInput
from domain.ids import alert_schedule_id
from workers.settings import Settings

log = logging.getLogger(__name__)


def alert_schedule(settings: Settings) -> Schedule:
    alerts = settings.alerts
    return Schedule(
        action=ScheduleActionStartWorkflow(
            names.ALERT_EVALUATION_WORKFLOW,
            EvaluationInput(every=alerts.every),
            id=alert_schedule_id(settings.task_queue),
            static_summary="Alert evaluation (ordertide alerts)",
            task_queue=settings.task_queue,
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=alerts.every)]),
        # An evaluation still sending when the next is due: the next is skipped.
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
        state=ScheduleState(paused=not alerts.enabled, note="ordertide alerts (README, Alerts)"),
    )


async def ensure_alert_schedule(client: Client, settings: Settings) -> None:
    """Idempotent: create it, or update the existing one to the configured
    interval and task queue (several workers starting at once all agree)."""
    schedule = alert_schedule(settings)
    try:
        await client.create_schedule(alert_schedule_id(settings.task_queue), schedule)
        log.info("alert evaluation scheduled every %s", settings.alerts.every)
    except ScheduleAlreadyRunningError:

        def update(_: ScheduleUpdateInput) -> ScheduleUpdate:
            return ScheduleUpdate(schedule=schedule)

        await client.get_schedule_handle(alert_schedule_id(settings.task_queue)).update(update)
