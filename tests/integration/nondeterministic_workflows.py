"""Workflows that break the determinism rules, in a module of their own: the
sandbox re-imports a workflow's module, and this one imports nothing else."""

import random
from datetime import UTC, datetime

from temporalio import workflow


@workflow.defn
class ReadsTheClockWorkflow:
    @workflow.run
    async def run(self) -> str:
        return datetime.now(UTC).isoformat()


@workflow.defn
class DrawsARandomNumberWorkflow:
    @workflow.run
    async def run(self) -> float:
        return random.random()


@workflow.defn
class DeterministicWorkflow:
    @workflow.run
    async def run(self) -> str:
        return workflow.now().isoformat()
