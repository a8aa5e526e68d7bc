"""The warehouse section of the settings: the secret from the environment or
the secrets file, a clear error when a URL has none, and a worker process
started with the settings gets the real secret."""

import pytest
from pydantic import SecretStr

from workers.settings import Settings, WarehouseSettings, load_settings, settings_env
from workers.worker import Engine


@pytest.fixture(autouse=True)
def no_config_file(tmp_path, monkeypatch):
    monkeypatch.setenv("ORDERTIDE_CONFIG", str(tmp_path / "ordertide.toml"))
    return tmp_path


def test_the_secret_comes_from_the_variable_the_config_names(monkeypatch, tmp_path):
    (tmp_path / "ordertide.toml").write_text('[warehouse]\nurl = "https://wms.example/orders"\nsecret_env = "WMS"\n')
    monkeypatch.setenv("WMS", "from-env")
    settings = load_settings(data_dir=tmp_path)
    assert settings.warehouse.secret == SecretStr("from-env")


def test_the_secret_comes_from_the_secrets_file(tmp_path):
    (tmp_path / "ordertide.toml").write_text('[warehouse]\nurl = "https://wms.example/orders"\n')
    (tmp_path / "ordertide.secrets.toml").write_text('[warehouse]\nsecret = "from-file"\n')
    assert load_settings(data_dir=tmp_path).warehouse.secret == SecretStr("from-file")


def test_a_url_without_a_secret_is_refused_naming_the_field(tmp_path):
    (tmp_path / "ordertide.toml").write_text('[warehouse]\nurl = "https://wms.example/orders"\n')
    with pytest.raises(ValueError, match=r"^warehouse\.secret: a warehouse url needs a secret"):
        load_settings(data_dir=tmp_path)


def test_no_url_builds_no_pusher_and_a_url_does(tmp_path):
    plain = Engine.build(Settings(data_dir=tmp_path))
    assert plain.warehouse is None
    pushing = Engine.build(
        Settings(data_dir=tmp_path, warehouse=WarehouseSettings(url="http://wms/orders", secret=SecretStr("s")))
    )
    assert pushing.warehouse is not None and pushing.warehouse.url == "http://wms/orders"


def test_a_worker_process_gets_the_real_warehouse_secret(monkeypatch):
    settings = Settings(warehouse=WarehouseSettings(url="http://wms/orders", secret=SecretStr("real")))
    for key, value in settings_env(settings).items():
        monkeypatch.setenv(key, value)
    assert Settings().warehouse.secret == SecretStr("real")
