from collections.abc import AsyncIterator

import pytest

from tests.drills.harness import Drill

# Drills that run on every marketplace: `@BOTH_MARKETS` on a test taking `drill`.
BOTH_MARKETS = pytest.mark.parametrize("drill", ["bol", "kaufland"], indirect=True)


@pytest.fixture
async def drill(tmp_path, request) -> AsyncIterator[Drill]:
    """bol.com's sandbox unless the test is parametrised with a marketplace."""
    running = Drill(tmp_path, marketplace=getattr(request, "param", "bol"))
    yield running
    await running.close()
