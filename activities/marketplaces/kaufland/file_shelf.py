"""Import files, served by the worker at a URL Kaufland downloads them from.

Kaufland takes bulk inventory changes only as a file at a public URL. The
shelf keeps each file in memory under an unguessable name until its import
ended, and serves it over HTTP (uvicorn, in the worker's own event loop,
started on first use). `public_url` is what Kaufland is told: behind a
proxy or tunnel it differs from the address the shelf listens on."""

import asyncio
import contextlib
import secrets
import socket
from collections.abc import Iterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


class _QuietServer(uvicorn.Server):
    """Leaves the worker's signal handlers alone: Ctrl-C stops the worker, which closes the shelf."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class FileShelf:
    def __init__(self, listen_host: str = "127.0.0.1", listen_port: int = 0, public_url: str | None = None):
        self.listen_host = listen_host
        self.listen_port = listen_port
        self._public_url = public_url.rstrip("/") if public_url else None
        self._files: dict[str, bytes] = {}
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self.app = Starlette(routes=[Route("/import-files/{name}", self._serve)])

    async def _serve(self, request: Request) -> Response:
        body = self._files.get(request.path_params["name"])
        if body is None:
            return PlainTextResponse("no such file (its import is over)", status_code=404)
        return Response(body, media_type=CSV_MEDIA_TYPE)

    async def put(self, body: bytes, suffix: str = ".csv") -> str:
        """Shelves the file and returns the URL it is downloaded from."""
        await self._started()
        name = secrets.token_urlsafe(24) + suffix
        self._files[name] = body
        return f"{self.base_url}/import-files/{name}"

    def remove(self, url: str) -> None:
        self._files.pop(url.rsplit("/", 1)[-1], None)

    @property
    def base_url(self) -> str:
        return self._public_url or f"http://{self.listen_host}:{self.listen_port}"

    async def _started(self) -> None:
        async with self._lock:
            if self._server is not None:
                return
            # Bound here, so that port 0 resolves to the real port before the URL is given out.
            sock = socket.create_server((self.listen_host, self.listen_port))
            self.listen_port = sock.getsockname()[1]
            server = _QuietServer(uvicorn.Config(self.app, log_level="warning", lifespan="off"))
            self._task = asyncio.create_task(server.serve(sockets=[sock]), name="kaufland-import-files")
            self._server = server
            # The socket already listens: a download arriving before uvicorn
            # runs waits in its backlog, so there is nothing to wait for here.

    async def aclose(self) -> None:
        if self._server is None or self._task is None:
            return
        self._server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._task, timeout=5)
        self._server = self._task = None
