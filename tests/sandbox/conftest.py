"""Fixtures for the bol sandbox tests: an app on a hand-moved clock, reached
in-process through httpx.ASGITransport."""

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from starlette.applications import Starlette

from sandbox.bol import BolSandbox
from tests.sandbox.helpers import BolClient, FakeClock, client_for, sandbox_app, state


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(clock: FakeClock) -> Starlette:
    return sandbox_app(clock, process_delay_seconds=0.5)


@pytest.fixture
def sandbox(app: Starlette) -> BolSandbox:
    return state(app)


@pytest_asyncio.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as client:
        yield client


@pytest.fixture
def bol(http: httpx.AsyncClient) -> BolClient:
    return BolClient(http)
