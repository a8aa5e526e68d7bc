from collections.abc import AsyncIterator

import pytest

from tests.drills.harness import Drill


@pytest.fixture
async def drill(tmp_path) -> AsyncIterator[Drill]:
    running = Drill(tmp_path)
    yield running
    await running.close()
