"""Settings handed to a worker started as a separate process keep their
real secrets (pydantic masks them when dumping)."""

from pydantic import SecretStr

from domain.config import BolChannelConfig, PlazaConfig
from tests.support import as_bol
from workers.settings import Settings, settings_env


def test_a_worker_process_gets_the_real_secret_and_plaza_key(monkeypatch):
    plaza = PlazaConfig(public_key="pub", private_key=SecretStr("plaza-private"))
    channel = BolChannelConfig(
        client_id="id", client_secret=SecretStr("bol-secret"), offer_transport="plaza", plaza=plaza
    )
    for key, value in settings_env(Settings(channels={"bol": channel})).items():
        monkeypatch.setenv(key, value)

    received = as_bol(Settings().channels["bol"])

    assert received.client_secret is not None and received.client_secret.get_secret_value() == "bol-secret"
    assert received.plaza.private_key is not None and received.plaza.private_key.get_secret_value() == "plaza-private"
