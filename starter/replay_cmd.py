"""`ordertide replay`: is this history deterministic against the current code?"""

from pathlib import Path
from typing import Annotated

import typer

from starter.console import CommandError, out, run_async
from workers import replay


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
    outcomes: list[replay.ReplayOutcome] = []
    if files:
        missing = [str(f) for f in files if not f.exists()]
        if missing:
            raise CommandError(f"no such file: {', '.join(missing)}")
        outcomes += await replay.replay_files(files)
    if workflow_id or all_:
        from workers.temporal_client import connect

        client = await connect()
        if workflow_id:
            history = await client.get_workflow_handle(workflow_id).fetch_history()
            outcomes.append(await replay.replay_one(history))
        if all_:
            outcomes += [outcome async for outcome in replay.replay_from_server(client, query)]
    if not outcomes:
        raise CommandError("give history files, --workflow-id ID, or --all")
    for outcome in outcomes:
        out.print(outcome.line(), markup=False, highlight=False)
    failed = [o for o in outcomes if not o.deterministic]
    if failed:
        raise CommandError(f"{len(failed)} of {len(outcomes)} histories are not deterministic")
