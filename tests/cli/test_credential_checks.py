"""What the start check says per channel, against the bol and Plaza
sandboxes in-process: refused (and why), accepted, or not checkable."""

import httpx
from pydantic import SecretStr

from domain.config import PlazaConfig
from tests.plaza.support import BASE_URL as PLAZA_URL
from tests.plaza.support import SandboxedPlaza
from tests.support import SandboxedBol, as_bol, bol_channel
from workers.credentials import check_channels, without_refused
from workers.settings import Settings


def on_plaza(bol: SandboxedBol, private_key: str | None):
    keys = PlazaConfig(
        base_url=PLAZA_URL, public_key="sandbox", private_key=SecretStr(private_key) if private_key else None
    )
    return bol_channel(bol.url, offer_transport="plaza", plaza=keys)


async def test_a_channel_on_plaza_is_checked_with_its_plaza_keys_too(bol: SandboxedBol):
    plaza = SandboxedPlaza.start()
    transports = {"bol": bol.transport, "bol:plaza": plaza.transport}

    [right] = await check_channels({"bol": on_plaza(bol, "sandbox")}, transports)
    [wrong] = await check_channels({"bol": on_plaza(bol, "guessed")}, transports)
    [none] = await check_channels({"bol": on_plaza(bol, None)}, transports)

    assert right.line == "channel bol: credentials accepted"
    assert wrong.line == (
        "channel bol: bol Plaza refused the keys: X-BOL-Authorization does not match the request [41202]"
    )
    assert none.line == "channel bol: the Plaza offer transport needs plaza.public_key and plaza.private_key"
    assert plaza.state.offers == {}  # checking touched no offer


async def test_a_marketplace_that_cannot_be_asked_does_not_stop_its_channel(bol: SandboxedBol):
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    settings = Settings(channels={"down": bol_channel("http://down.example"), "typo": bol_channel(bol.url)})
    as_bol(settings.channels["typo"]).client_secret = SecretStr("wrong")
    transports = {"down": httpx.MockTransport(refuse), "typo": bol.transport}

    checks = await check_channels(settings.channels, transports)

    assert [c.outcome for c in checks] == ["unverified", "refused"]
    assert checks[0].line.startswith("channel down: credentials not checked, bol unreachable: ")
    assert list(without_refused(settings, checks).channels) == ["down"]


async def test_a_secret_named_by_an_unset_environment_variable_is_refused_before_asking_bol(bol: SandboxedBol):
    channel = bol_channel(bol.url, client_secret=None, client_secret_env="ORDERTIDE_TEST_UNSET_SECRET")

    [check] = await check_channels({"bol": channel}, {"bol": bol.transport})

    assert check.line == "channel bol: no client secret: environment variable ORDERTIDE_TEST_UNSET_SECRET is not set"
