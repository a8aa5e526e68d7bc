"""A Kaufland channel is configured like a bol one: in ordertide.toml or the
environment, its secret key from the secrets file or a named variable, and
checked against Kaufland before the worker starts."""

import pytest
from pydantic import SecretStr, ValidationError

from domain.channels import Marketplace
from domain.config import ChannelConfig, KauflandChannelConfig
from domain.storefronts import Storefront
from tests.support import kaufland_channel
from workers.credentials import check_channels
from workers.settings import Settings, load_settings, settings_env


def test_a_channel_names_its_marketplace_and_a_bol_channel_need_not(tmp_path, monkeypatch):
    config = tmp_path / "ordertide.toml"
    config.write_text(
        '[channels.bol-nl]\nclient_id = "id"\n\n'
        '[channels.kaufland-cz]\nmarketplace = "kaufland"\nclient_key = "key"\nsecret_key_env = "KL_SECRET"\n'
        'storefront = "cz"\n'
    )
    monkeypatch.setenv("ORDERTIDE_CONFIG", str(config))
    monkeypatch.setenv("KL_SECRET", "from-env")

    channels = load_settings().channels

    assert channels["bol-nl"].marketplace is Marketplace.BOL
    kaufland = channels["kaufland-cz"]
    assert isinstance(kaufland, KauflandChannelConfig)
    assert kaufland.storefront is Storefront.CZ and kaufland.currency == "CZK"
    assert kaufland.secret_key is not None and kaufland.secret_key.get_secret_value() == "from-env"


def test_an_unknown_marketplace_or_storefront_is_refused_naming_the_field():
    with pytest.raises(ValidationError, match="amazon"):
        Settings.model_validate({"channels": {"x": {"marketplace": "amazon"}}})
    with pytest.raises(ValidationError, match="storefront"):
        Settings.model_validate({"channels": {"x": {"marketplace": "kaufland", "storefront": "nl"}}})


def test_a_worker_process_gets_the_real_kaufland_secret_key(monkeypatch):
    channel = KauflandChannelConfig(client_key="key", secret_key=SecretStr("kl-secret"))
    for key, value in settings_env(Settings(channels={"kl": channel})).items():
        monkeypatch.setenv(key, value)

    received = Settings().channels["kl"]

    assert isinstance(received, KauflandChannelConfig)
    assert received.secret_key is not None and received.secret_key.get_secret_value() == "kl-secret"


async def test_the_start_check_accepts_the_sandbox_keys_and_names_a_refused_secret(kaufland):
    configs: dict[str, ChannelConfig] = {
        "right": kaufland_channel(kaufland.api_url),
        "wrong": kaufland_channel(kaufland.api_url, secret_key=SecretStr("guessed")),
        "none": kaufland_channel(kaufland.api_url, secret_key=None, secret_key_env="KL_UNSET_SECRET"),
    }
    transports = dict.fromkeys(configs, kaufland.transport)

    right, wrong, none = await check_channels(configs, transports)

    assert right.line == "channel right: credentials accepted"
    assert wrong.outcome == "refused" and "wrong signature" in wrong.line
    assert none.line == "channel none: no secret key: environment variable KL_UNSET_SECRET is not set"
