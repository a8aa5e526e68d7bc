import pytest

from activities.marketplaces.bol.adapter import BolAdapter
from tests.support import SandboxedBol, bol_channel


@pytest.fixture
async def adapter(bol: SandboxedBol):
    adapter = BolAdapter("bol", bol_channel(bol.url), transport=bol.transport, process_poll_interval=0.01)
    yield adapter
    await adapter.aclose()
