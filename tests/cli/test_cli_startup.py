"""`ordertide --help`, a usage error and every command's start pay for the
command line alone: the store, Temporal's client, the worker, telemetry and
the channel models load only in the command that runs. The test suite
starts the CLI about a hundred times, and ops on every command."""

import subprocess
import sys

# Each of these took a noticeable part of the 2 s the CLI once took to start.
# Not pydantic itself: typer loads it to build a command's parameters.
HEAVY = [
    "sqlalchemy",
    "sqlmodel",
    "opentelemetry",
    "temporalio",
    "httpx",
    "activities.store",
    "activities.channels",
    "workers.settings",
    "workers.worker",
    "domain.config",
]


def test_the_command_line_loads_no_engine_module_before_a_command_runs():
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, starter.cli; print('\\n'.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    found = {heavy: [m for m in loaded if m == heavy or m.startswith(f"{heavy}.")] for heavy in HEAVY}
    assert {heavy: modules[:3] for heavy, modules in found.items() if modules} == {}
