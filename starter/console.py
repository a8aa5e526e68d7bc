"""How every command ends: one readable line on error, JSON or a table on
success, and an explicit exit (the Temporal SDK can abort at interpreter
exit in short-lived processes, sdk-python#300)."""

import functools
import json
import os
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from rich.console import Console

from workers import event_loop

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

# Every process the CLI starts logs lines in this form (`bench burst` reads a worker's).
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class CommandError(Exception):
    """A user-facing failure: its message is the one line we print."""


def describe(exc: BaseException) -> str:
    if isinstance(exc, CommandError):
        return str(exc)
    # Imported on such an error only: a command that never reaches Temporal starts without its client.
    from temporalio.client import WorkflowUpdateFailedError
    from temporalio.exceptions import ApplicationError
    from temporalio.service import RPCError, RPCStatusCode

    if isinstance(exc, WorkflowUpdateFailedError):
        cause = exc.cause
        return f"rejected: {cause.message if isinstance(cause, ApplicationError) else cause}"
    if isinstance(exc, RPCError):
        if exc.status == RPCStatusCode.NOT_FOUND:
            return f"not found: {exc.message}"
        if exc.status == RPCStatusCode.UNAVAILABLE:
            return f"Temporal is not reachable ({exc.message}); start it with `ordertide run` or set TEMPORAL_ADDRESS"
        return f"Temporal said: {exc.message}"
    if isinstance(exc, RuntimeError) and str(exc).startswith("Failed client connect"):
        return "Temporal is not reachable; start it with `ordertide run` or set TEMPORAL_ADDRESS"
    if isinstance(exc, (ConnectionError, OSError)) and "connect" in str(exc).lower():
        return f"cannot connect: {exc}"
    return f"{type(exc).__name__}: {exc}"


def finish(code: int) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def run_async(fn: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async command, print errors as one line, exit explicitly."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        code = 0
        try:
            event_loop.run(fn(*args, **kwargs))
        except KeyboardInterrupt:
            code = 130
        except Exception as exc:
            err.print(f"error: {describe(exc)}", markup=False, highlight=False, soft_wrap=True)
            code = 1
        finish(code)

    return wrapper


def print_json(value: Any) -> None:
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        text = value.model_dump_json(indent=2)
    elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
        text = json.dumps([v.model_dump(mode="json") for v in value], indent=2)
    else:
        text = json.dumps(value, indent=2, default=str)
    sys.stdout.write(text + "\n")
