"""The evaluation workflow on the time-skipping server with doubles of its
activities: a sink that never answers is retried, then given up before the
next evaluation is due; the other sinks get their messages meanwhile."""

import uuid
from datetime import UTC, datetime, timedelta

from temporalio import activity
from temporalio.worker import Worker

from domain.alerts.messages import AlertRound, EvaluationInput, NotifyRequest, PublishRequest
from domain.alerts.model import Alert, AlertEvent, AlertKind, Change, Severity
from workflows.alerts import AlertEvaluationWorkflow

EVENT = AlertEvent(
    change=Change.RAISED,
    alert=Alert(kind=AlertKind.OFFERS_REJECTED, subject="bol", severity=Severity.WARNING, message="3 rejected"),
    at=datetime(2026, 12, 2, 8, tzinfo=UTC),
)


class Sinks:
    def __init__(self) -> None:
        self.attempts: dict[str, int] = {}
        self.delivered: list[str] = []
        self.published: list[PublishRequest] = []

    @activity.defn(name="evaluate_alerts")
    async def evaluate_alerts(self) -> AlertRound:
        return AlertRound(events=[EVENT], sinks=["0:log", "1:webhook down"], attention={"intake:bol": "x"})

    @activity.defn(name="notify")
    async def notify(self, request: NotifyRequest) -> None:
        self.attempts[request.sink] = self.attempts.get(request.sink, 0) + 1
        if request.sink == "1:webhook down":
            raise RuntimeError("connection refused")
        self.delivered.append(request.sink)

    @activity.defn(name="publish")
    async def publish(self, request: PublishRequest) -> None:
        self.published.append(request)


async def test_a_sink_that_stays_down_is_retried_then_given_up_and_blocks_nothing(time_env):
    sinks = Sinks()
    task_queue = f"fast-alerts-{uuid.uuid4()}"
    async with Worker(
        time_env.client,
        task_queue=task_queue,
        workflows=[AlertEvaluationWorkflow],
        activities=[sinks.evaluate_alerts, sinks.notify, sinks.publish],
    ):
        sent = await time_env.client.execute_workflow(
            AlertEvaluationWorkflow.run,
            EvaluationInput(every=timedelta(minutes=5)),
            id=f"alerts-evaluation-{uuid.uuid4().hex[:8]}",
            task_queue=task_queue,
        )
    assert sent == 1
    assert sinks.delivered == ["0:log"] and sinks.published[0].attention == {"intake:bol": "x"}
    assert sinks.attempts["1:webhook down"] > 3  # retried, within 4 of the 5 minutes
