"""The throughput benchmark's baseline: an order workflow of the textbook,
step-by-step shape — one activity per lifecycle step (accept, choose a
transporter, ship, follow the confirmation), the "picked" signal and the
return-window timer — with every step doing nothing. The engine does the
real work of those steps in fewer round trips."""

from datetime import timedelta

from temporalio import activity, workflow

BASELINE_WORKFLOW = "BaselineOrderWorkflow"
TASK_QUEUE = "baseline"
STEPS_AFTER_PICK = ("choose_transporter", "ship", "confirm_shipment")


@activity.defn(name="baseline_step")
async def baseline_step(step: str) -> str:
    return step


@workflow.defn(name=BASELINE_WORKFLOW)
class BaselineOrderWorkflow:
    @workflow.init
    def __init__(self, return_window_seconds: float) -> None:
        self._picked = False

    @workflow.signal
    def picked(self) -> None:
        self._picked = True

    @workflow.run
    async def run(self, return_window_seconds: float) -> None:
        await workflow.execute_activity(baseline_step, "accept", start_to_close_timeout=timedelta(seconds=30))
        await workflow.wait_condition(lambda: self._picked)
        for step in STEPS_AFTER_PICK:
            await workflow.execute_activity(baseline_step, step, start_to_close_timeout=timedelta(seconds=30))
        await workflow.sleep(timedelta(seconds=return_window_seconds))
