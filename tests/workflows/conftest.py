import pytest

from domain.channels import Marketplace
from tests.support import SandboxedBol, SandboxedKaufland
from tests.workflows.markets import BolMarket, KauflandMarket, Market


@pytest.fixture(params=[Marketplace.BOL, Marketplace.KAUFLAND], ids=str)
def market(request: pytest.FixtureRequest, bol: SandboxedBol, kaufland: SandboxedKaufland) -> Market:
    """The marketplace a lifecycle test sells on: each such test runs for both."""
    return BolMarket(bol) if request.param is Marketplace.BOL else KauflandMarket(kaufland)
