"""`ordertide replay`: is this history deterministic against the current code?"""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from starter.console import CommandError, err, out, run_async

# Without a terminal (a log, CI): one line per this many histories, and one at the end.
PLAIN_PROGRESS_EVERY = 100


@run_async
async def replay_command(
    files: Annotated[
        list[Path] | None, typer.Argument(help="histories from `temporal workflow show -o json` or the UI")
    ] = None,
    workflow_id: Annotated[
        str | None, typer.Option("--workflow-id", help="fetch this workflow's history first")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="replay every workflow matching --query")] = False,
    query: Annotated[str, typer.Option(help="visibility query for --all")] = "WorkflowType = 'OrderWorkflow'",
) -> None:
    """Replay histories against the current code; one line per workflow."""
    from workers import replay

    replayed = failed = 0

    def report(outcome: replay.ReplayOutcome) -> None:
        # Printed as it comes: `--all` over a namespace's every order holds one history at a time.
        nonlocal replayed, failed
        replayed += 1
        failed += not outcome.deterministic
        out.print(outcome.line(), markup=False, highlight=False)

    if files:
        missing = [str(f) for f in files if not f.exists()]
        if missing:
            raise CommandError(f"no such file: {', '.join(missing)}")
        for path in files:
            report(await replay.replay_one(replay.history_from_file(path)))
    if workflow_id or all_:
        from workers.temporal_client import connect

        client = await connect()
        if workflow_id:
            report(await replay.replay_one(await client.get_workflow_handle(workflow_id).fetch_history()))
        if all_:
            total = (await client.count_workflows(query)).count
            async with progress(total) as advance:
                async for outcome in replay.replay_from_server(client, query):
                    report(outcome)
                    advance()
    if not replayed:
        raise CommandError("give history files, --workflow-id ID, or --all")
    if failed:
        raise CommandError(f"{failed} of {replayed} histories are not deterministic")


@asynccontextmanager
async def progress(total: int) -> AsyncIterator[Callable[[], None]]:
    """A bar on a terminal; plain lines on stderr otherwise (stdout stays one line per workflow)."""
    if err.is_terminal:
        columns = (TextColumn("replaying"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=err, transient=True) as bar:
            task = bar.add_task("replay", total=total)
            yield lambda: bar.advance(task)
        return
    done = 0

    def plain() -> None:
        nonlocal done
        done += 1
        if done % PLAIN_PROGRESS_EVERY == 0:
            err.print(f"replayed {done} of {total} histories", markup=False, highlight=False)

    yield plain
    if done % PLAIN_PROGRESS_EVERY:
        err.print(f"replayed {done} of {total} histories", markup=False, highlight=False)
