"""The event loop and HTTP parser every ordertide process runs on: uvloop and
httptools (C), not asyncio's default loop and h11 (pure Python). A request
served costs the receiver and the sandboxes about a third less CPU (docs/benchmarks.md).

`ORDERTIDE_EVENT_LOOP=asyncio` falls back to the standard library's loop and
h11 (a platform without uvloop's wheels, or to rule the loop out when
something misbehaves); without uvloop installed that is what runs anyway."""

import asyncio
import importlib.util
import os
from collections.abc import Coroutine
from typing import Any, TypedDict, TypeVar

T = TypeVar("T")

ENV = "ORDERTIDE_EVENT_LOOP"


def fast() -> bool:
    """uvloop and httptools, unless asked for asyncio or not installed."""
    if os.environ.get(ENV, "uvloop").strip().lower() == "asyncio":
        return False
    return all(importlib.util.find_spec(name) is not None for name in ("uvloop", "httptools"))


def run(main: Coroutine[Any, Any, T]) -> T:
    """asyncio.run() on the chosen loop."""
    if not fast():
        return asyncio.run(main)
    import uvloop

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


class UvicornOptions(TypedDict):
    loop: str
    http: str


def uvicorn_options() -> UvicornOptions:
    """uvicorn's `loop` (for a server in a thread of its own) and `http`,
    the same choice as run()'s: its "auto" would take them whatever the
    setting says."""
    if fast():
        return {"loop": "uvloop", "http": "httptools"}
    return {"loop": "asyncio", "http": "h11"}
