"""A new workflow instance loads only its own module from disk: the sandbox
re-imports the workflow's module for every instance (it is what keeps
instances apart), and everything that module imports is meant to come from
the worker's loaded modules. A module that slips through the
`imports_passed_through` block is read, unmarshalled and run again for every
order: `from workflows import policies` did, at about a tenth of an
instance's creation."""

import importlib.machinery
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from types import CodeType

import pytest
from temporalio.client import WorkflowHistory

from workers import replay
from workers.worker import WORKFLOWS

HISTORIES = Path(__file__).parent.parent / "histories"
ONE_OF_EACH = [
    "order-happy-path",
    "inventory-stock-changes",
    "offer-sync-listening-rounds",
    "intake-supplier-push-refused",
]


async def _each(histories: Iterable[WorkflowHistory]) -> AsyncIterator[WorkflowHistory]:
    for history in histories:
        yield history


async def test_an_instance_loads_nothing_but_its_workflow_module(monkeypatch: pytest.MonkeyPatch):
    loaded: list[str] = []
    get_code = importlib.machinery.SourceFileLoader.get_code

    def recorded(loader: importlib.machinery.SourceFileLoader, name: str) -> CodeType | None:
        loaded.append(name)
        return get_code(loader, name)

    histories = [replay.history_from_file(HISTORIES / f"{name}.json") for name in ONE_OF_EACH]
    replayer = replay.replayer()
    await replayer.replay_workflows(_each(histories))  # the worker's own imports, once per process
    monkeypatch.setattr(importlib.machinery.SourceFileLoader, "get_code", recorded)
    # Twice each, under other ids: the second instance of a type is what every later order costs.
    twice = [WorkflowHistory(f"{h.workflow_id}-{n}", h.events) for h in histories for n in (1, 2)]
    results = await replayer.replay_workflows(_each(twice), raise_on_replay_failure=False)

    assert all(failure is None for failure in results.replay_failures.values())
    workflow_modules = {workflow.__module__ for workflow in WORKFLOWS}
    assert {"workflows.order", "workflows.inventory"} <= workflow_modules
    assert set(loaded) - workflow_modules - {"workflows"} == set()
