"""Every process the CLI starts runs on uvloop, and every server it runs
parses HTTP with httptools (workers/event_loop.py): a request costs the
receiver and the sandboxes about a third less CPU than on asyncio's own loop
and h11. `ORDERTIDE_EVENT_LOOP=asyncio` falls back to both of those."""

import asyncio
import os
import subprocess
import sys

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from workers import event_loop
from workers.http import serve_in_thread

# A command as the CLI runs one (starter/console.run_async), printing the class of its loop.
_COMMAND = """
import asyncio
from starter.console import run_async

@run_async
async def command() -> None:
    loop = type(asyncio.get_running_loop())
    print(f"{loop.__module__}.{loop.__qualname__}")

command()
"""


def _command_loop(choice: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "ORDERTIDE_EVENT_LOOP"}
    if choice is not None:
        env["ORDERTIDE_EVENT_LOOP"] = choice
    done = subprocess.run(
        [sys.executable, "-c", _COMMAND], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout.strip()


def test_a_command_runs_on_uvloop() -> None:
    assert _command_loop(None) == "uvloop.Loop"


def test_asyncio_when_asked() -> None:
    assert _command_loop("asyncio").startswith("asyncio.")


async def _loop_class(request: Request) -> PlainTextResponse:
    loop = type(asyncio.get_running_loop())
    return PlainTextResponse(f"{loop.__module__}.{loop.__qualname__}")


@pytest.mark.parametrize(
    ("choice", "loop", "parser"), [(None, "uvloop.Loop", "httptools"), ("asyncio", "asyncio.", "h11")]
)
def test_a_server_in_a_thread_follows_the_choice(
    monkeypatch: pytest.MonkeyPatch, choice: str | None, loop: str, parser: str
) -> None:
    if choice is None:
        monkeypatch.delenv("ORDERTIDE_EVENT_LOOP", raising=False)
    else:
        monkeypatch.setenv("ORDERTIDE_EVENT_LOOP", choice)
    # The parser goes to uvicorn in the same options as the loop.
    assert event_loop.uvicorn_options()["http"] == parser
    with serve_in_thread(Starlette(routes=[Route("/loop", _loop_class)])) as server:
        assert httpx.get(f"{server.url}/loop").text.startswith(loop)
