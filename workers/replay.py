"""Replaying recorded histories against the current workflow code: the proof
that a change does not break orders already running."""

import json
import re
from collections.abc import AsyncIterator, Iterable
from pathlib import Path

from pydantic import BaseModel
from temporalio.client import Client, WorkflowHistory
from temporalio.worker import Replayer

from workers.settings import load_settings
from workers.temporal_client import data_converter
from workers.worker import WORKFLOWS, compile_workflow_modules


class ReplayOutcome(BaseModel):
    workflow_id: str
    deterministic: bool
    detail: str = ""

    def line(self) -> str:
        if self.deterministic:
            return f"{self.workflow_id}: deterministic"
        return f"{self.workflow_id}: NOT deterministic — {self.detail}"


def replayer() -> Replayer:
    # As for the worker: without bytecode on disk every replayed history
    # compiled the workflow module again (happy path: 15.6-18.2 ms per
    # replay against 11.6-12.3 with it).
    compile_workflow_modules()
    # Encrypted histories replay with the same keys the worker uses.
    return Replayer(workflows=WORKFLOWS, data_converter=data_converter(load_settings().codec_keys()))


def history_from_file(path: Path) -> WorkflowHistory:
    """Reads `temporal workflow show -o json` output or the Web UI's download.
    Neither names the workflow id inside, so the file name does."""
    return WorkflowHistory.from_json(path.stem, json.loads(path.read_text()))


_WHERE = re.compile(r"\[TMPRL1100\][^\n]*")


def _describe(failure: Exception) -> str:
    text = str(failure)
    match = _WHERE.search(text)
    return (match.group(0) if match else text.splitlines()[0] if text else type(failure).__name__)[:500]


async def replay_one(history: WorkflowHistory) -> ReplayOutcome:
    result = await replayer().replay_workflow(history, raise_on_replay_failure=False)
    failure = result.replay_failure
    return ReplayOutcome(
        workflow_id=history.workflow_id, deterministic=failure is None, detail=_describe(failure) if failure else ""
    )


async def replay_files(paths: Iterable[Path]) -> list[ReplayOutcome]:
    return [await replay_one(history_from_file(path)) for path in paths]


async def replay_from_server(client: Client, query: str) -> AsyncIterator[ReplayOutcome]:
    async for history in client.list_workflows(query).map_histories():
        yield await replay_one(history)
