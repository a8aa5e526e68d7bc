"""httpcore asks which async library it runs under several times per request,
by importing sniffio each time. With sniffio missing (anyio no longer brings
it), every such import searched sys.path on disk: about 0.1 ms each, three
times a request, in every marketplace, warehouse and sandbox call the worker
and the webhook receiver make. Measured at 3 % of the worker's samples under
`bench throughput`."""

import asyncio
import importlib.abc
import sys
from collections.abc import Sequence
from types import ModuleType

import httpx
import pytest


class _ImportsSeen(importlib.abc.MetaPathFinder):
    """First on sys.meta_path: sees every import not already in sys.modules."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        self.names.append(fullname)
        return None


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while (await reader.readline()) not in (b"\r\n", b""):
        pass
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    await writer.drain()
    writer.close()


async def test_a_request_looks_up_no_module(monkeypatch: pytest.MonkeyPatch) -> None:
    server = await asyncio.start_server(_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server, httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        assert (await http.get("/")).text == "ok"  # whatever loads lazily, loads here
        seen = _ImportsSeen()
        monkeypatch.setattr(sys, "meta_path", [seen, *sys.meta_path])
        for _ in range(3):
            assert (await http.get("/")).text == "ok"
    assert seen.names == []
