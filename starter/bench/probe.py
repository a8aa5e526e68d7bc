"""The workflow `bench server-costs` drives: one Temporal operation of an
order's kinds at a time, with nothing else in it, so the server's CPU per
run is the price of that operation. Unsandboxed: the worker's costs are not
what this measures."""

from pydantic import BaseModel
from temporalio import workflow

from domain import names

PROBE_WORKFLOW = "ServerCostProbe"
TASK_QUEUE = "server-cost-probe"


class ProbeInput(BaseModel):
    # "plain" completes in its first task; "upsert" upserts OrderStatus
    # first; "signal" and "update" wait for theirs.
    waits_for: str = "plain"


@workflow.defn(name=PROBE_WORKFLOW, sandboxed=False)
class ServerCostProbe:
    @workflow.init
    def __init__(self, probe: ProbeInput) -> None:
        self._released = False

    @workflow.signal
    def release(self) -> None:
        self._released = True

    @workflow.update
    def release_now(self) -> None:
        self._released = True

    @workflow.run
    async def run(self, probe: ProbeInput) -> None:
        if probe.waits_for == "upsert":
            workflow.upsert_search_attributes([names.ORDER_STATUS.value_set("SHIPPED")])
        elif probe.waits_for != "plain":
            await workflow.wait_condition(lambda: self._released)
