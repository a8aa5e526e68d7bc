"""The start check (and init's) for supplier portal channels, against the
portal sandbox's API, SFTP server and mail server on loopback: every login
the channel's intake uses is tried, a refused one is named, and one that
cannot be reached does not stop the channel."""

import socket

from pydantic import SecretStr

from domain.config import ChannelConfig, SupplierApiSettings, SupplierChannelConfig
from tests.supplier.conftest import Portal, file_channel, mail_channel
from workers.credentials import check_channels


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def with_api_key(config: SupplierChannelConfig, key: str | None, env: str | None = None) -> SupplierChannelConfig:
    api = SupplierApiSettings(base_url=config.api.base_url, api_key=SecretStr(key) if key else None, api_key_env=env)
    return config.model_copy(update={"api": api})


async def test_each_intake_login_is_tried_and_a_refused_one_is_named(portal: Portal):
    sftp, mail = file_channel(portal), mail_channel(portal)
    assert sftp.file.sftp is not None and mail.email is not None
    wrong_sftp = sftp.model_copy(
        update={
            "file": sftp.file.model_copy(
                update={"sftp": sftp.file.sftp.model_copy(update={"password": SecretStr("x")})}
            )
        }
    )
    wrong_mail = mail.model_copy(update={"email": mail.email.model_copy(update={"password": SecretStr("x")})})
    configs: dict[str, ChannelConfig] = {
        "sftp": sftp,
        "mail": mail,
        "api-key": with_api_key(sftp, "guessed"),
        "api-env": with_api_key(sftp, None, "ORDERTIDE_TEST_UNSET_PORTAL_KEY"),
        "sftp-pw": wrong_sftp,
        "mail-pw": wrong_mail,
    }

    checks = {check.channel: check for check in await check_channels(configs)}

    assert checks["sftp"].line == "channel sftp: credentials accepted"
    assert checks["mail"].line == "channel mail: credentials accepted"
    assert checks["api-key"].line == "channel api-key: the portal refused GET /api/v1/orders: 401"
    assert checks["api-env"].line == (
        "channel api-env: no API key: environment variable ORDERTIDE_TEST_UNSET_PORTAL_KEY is not set"
    )
    assert checks["sftp-pw"].outcome == "refused"
    assert checks["sftp-pw"].line.startswith("channel sftp-pw: the portal's SFTP server 127.0.0.1:")
    assert "refused user supplier" in checks["sftp-pw"].line
    assert checks["mail-pw"].outcome == "refused"
    assert checks["mail-pw"].line.startswith("channel mail-pw: the mail server refused user orders: ")


async def test_a_mailbox_that_cannot_be_reached_does_not_stop_its_channel(portal: Portal):
    mail = mail_channel(portal)
    assert mail.email is not None
    down = mail.model_copy(update={"email": mail.email.model_copy(update={"port": closed_port()})})

    [check] = await check_channels({"mail": down})

    assert check.outcome == "unverified"
    assert check.line.startswith("channel mail: credentials not checked, supplier unreachable: ")
