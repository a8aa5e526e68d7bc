"""Plaza fixtures: a fresh sandbox per test and a client wired to it."""

from collections.abc import AsyncIterator, Callable

import pytest
import pytest_asyncio

from activities.marketplaces.plaza.client import PlazaClient
from tests.plaza.support import SandboxedPlaza


@pytest.fixture
def start_plaza() -> Callable[..., SandboxedPlaza]:
    return SandboxedPlaza.start


@pytest.fixture
def plaza() -> SandboxedPlaza:
    return SandboxedPlaza.start()


@pytest_asyncio.fixture
async def client(plaza: SandboxedPlaza) -> AsyncIterator[PlazaClient]:
    client = plaza.client()
    yield client
    await client.aclose()
