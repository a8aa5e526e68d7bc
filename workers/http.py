"""Serving an ASGI app over real HTTP with uvicorn: in a background thread
(tests, `ordertide run`) or in the foreground (`ordertide webhooks`,
`ordertide codec-server`, `ordertide sandbox bol`). The sandboxes do not
import this module: they are plain ASGI apps, and whoever runs one serves it."""

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from workers import event_loop

# How long stop() lets in-flight requests finish before cancelling them.
GRACEFUL_SHUTDOWN_SECONDS = 2


def _config(app: ASGIApp, **options: Any) -> uvicorn.Config:
    """Every server's, on the process's event loop and HTTP parser (workers/event_loop.py)."""
    return uvicorn.Config(app, **event_loop.uvicorn_options(), **options)


class ServerHandle:
    """A uvicorn server in a daemon thread. stop() closes the port — clients
    get "connection refused", like a marketplace that is down — and start()
    opens the same port again."""

    def __init__(self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0):
        self.app = app
        self.host = host
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self, timeout: float = 10.0) -> "ServerHandle":
        if self.running:
            raise RuntimeError(f"the server at {self.url} is already running")
        # Bound here, not by uvicorn, so port 0 resolves before the thread runs
        # and a restart gets the very same port (create_server sets SO_REUSEADDR).
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.create_server((self.host, self.port), family=family)
        self.port = sock.getsockname()[1]
        server = uvicorn.Server(
            _config(self.app, log_level="warning", timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS)
        )
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, daemon=True, name=f"http-server-{self.port}"
        )
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                server.should_exit = True
                sock.close()
                raise RuntimeError(f"the server at {self.url} did not start")
            time.sleep(0.01)
        self._server, self._thread = server, thread
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout)
        self._server = self._thread = None

    def __enter__(self) -> "ServerHandle":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def serve_in_thread(app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> ServerHandle:
    """Starts `app` and returns once it accepts connections; port 0 picks a free port."""
    return ServerHandle(app, host, port).start()


async def serve(app: ASGIApp, host: str = "127.0.0.1", port: int = 8710, *, access_log: bool = True) -> None:
    """Serves `app` in the foreground until interrupted. Without `access_log`
    the app logs its requests itself (the codec server: a caller may still put
    a secret in a path, and the log must not keep it)."""
    await uvicorn.Server(_config(app, host=host, port=port, log_level="info", access_log=access_log)).serve()


class _QuietServer(uvicorn.Server):
    """Leaves signals to the process that embeds it (Ctrl-C stops
    `ordertide run` as a whole, not just this server)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def serving(app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[str]:
    """Serves `app` on the running event loop for the block; yields its URL.
    For apps that call the Temporal client or share state with the caller's
    tasks, which belong to this loop, not to a server thread's."""
    sock = socket.create_server((host, port))
    server = _QuietServer(_config(app, log_level="warning", timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()  # raises why it did not start
                raise RuntimeError(f"the server on port {sock.getsockname()[1]} did not start")
            await asyncio.sleep(0.01)
        yield f"http://{host}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await task
        sock.close()
