"""Settings from environment variables (ORDERTIDE_*, nested with "__") and an
optional TOML file (ORDERTIDE_CONFIG, else ./ordertide.toml). Environment
wins over the file. Temporal's own connection settings come from the
standard TEMPORAL_* variables (see workers/temporal_client.py)."""

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

from domain.alerts.config import AlertSettings
from domain.config import ChannelConfig
from domain.names import TASK_QUEUE
from workers.codec import CodecKeys
from workers.secret_file import write_secret
from workers.telemetry import TelemetrySettings


def config_file() -> Path:
    return Path(os.environ.get("ORDERTIDE_CONFIG", "ordertide.toml"))


def secrets_file(config: Path | None = None) -> Path:
    """Beside the config file: ordertide.toml keeps its secrets in
    ordertide.secrets.toml (mode 0600), so the config can be shared."""
    config = config or config_file()
    return config.with_name(f"{config.stem}.secrets{config.suffix or '.toml'}")


class WorkerTuning(BaseModel):
    # Workflows kept in memory between tasks. A parked order (in its return
    # window) costs nothing outside this cache, so it bounds the worker's memory.
    max_cached_workflows: int = 1000
    max_concurrent_activities: int = 200
    # Workflow tasks in progress at once. A task that runs a local activity
    # (the accept) stays open until it returns, so under a burst a hundred
    # such tasks would share the marketplace, the store and two cores, and
    # each take seconds. Fewer at once finish each in a fraction of a second
    # at the same throughput; the rest wait their turn on the server.
    max_concurrent_workflow_tasks: int = 10
    max_concurrent_local_activities: int = 10
    graceful_shutdown: timedelta = timedelta(seconds=10)


class WebhookSettings(BaseModel):
    """The push receiver's limits. bol's pushes are a few hundred bytes, and
    bol retries a refused one (10 times in 10 minutes, then disables the
    subscription), so the limits are far above what bol sends."""

    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    # Per client address: a steady rate, and a burst on top of it.
    requests_per_second: float = Field(default=50.0, gt=0)
    burst: int = Field(default=500, ge=1)
    # How long a push waits for Temporal to take its order before the
    # receiver answers 503 (bol delivers it again).
    handoff_timeout: timedelta = timedelta(seconds=5)


class WarehouseSettings(BaseModel):
    """Where accepted orders are pushed, for a warehouse that cannot speak
    Temporal (README, "The warehouse"). No `url`: nothing is pushed. The
    secret signs the pushes and is the bearer token of the pick and ship
    endpoint; it belongs in ordertide.secrets.toml or the environment."""

    url: str | None = None
    secret: SecretStr | None = None
    # The name of an environment variable holding the secret.
    secret_env: str | None = None

    def shared_secret(self) -> SecretStr | None:
        if self.secret is None and self.secret_env and os.environ.get(self.secret_env):
            return SecretStr(os.environ[self.secret_env])
        return self.secret


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ORDERTIDE_", env_nested_delimiter="__", extra="ignore")

    data_dir: Path = Path(".ordertide")
    database_url: str | None = None
    task_queue: str = TASK_QUEUE
    channels: dict[str, ChannelConfig] = Field(default_factory=dict)
    # Payload encryption is on whenever a key file exists: this one, or
    # codec-keys.json in the data dir (which `ordertide run` creates).
    codec_key_file: Path | None = None
    telemetry: TelemetrySettings = Field(default_factory=TelemetrySettings)
    worker: WorkerTuning = Field(default_factory=WorkerTuning)
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)
    warehouse: WarehouseSettings = Field(default_factory=WarehouseSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)

    def codec_keys(self) -> CodecKeys | None:
        path = self.codec_key_file or self.data_dir / "codec-keys.json"
        if self.codec_key_file and not path.exists():
            raise FileNotFoundError(f"codec key file {path} does not exist")
        return CodecKeys.load(path) if path.exists() else None

    @property
    def store_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir.resolve() / 'store.db'}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=secrets_file()),
            TomlConfigSettingsSource(settings_cls, toml_file=config_file()),
        )


RUNTIME_CHANNELS = "runtime-channels.json"


def load_settings(**overrides: Any) -> Settings:
    """Configured settings; with no channel configured, the channels a
    running `ordertide run` recorded in the data dir (its sandboxes), so
    the other commands work beside it."""
    settings = _secrets_from_environment(Settings(**overrides))
    runtime = settings.data_dir / RUNTIME_CHANNELS
    if not settings.channels and runtime.exists():
        recorded = json.loads(runtime.read_text())
        settings = settings.model_copy(update={"channels": Settings(channels=recorded).channels})
    return settings


def _secrets_from_environment(settings: Settings) -> Settings:
    channels = {name: _env_secrets(config) for name, config in settings.channels.items()}
    warehouse = settings.warehouse
    if warehouse.url and warehouse.shared_secret() is None:
        raise ValueError(
            "warehouse.secret: a warehouse url needs a secret to sign its pushes (or warehouse.secret_env)"
        )
    warehouse = warehouse.model_copy(update={"secret": warehouse.shared_secret()})
    return settings.model_copy(update={"channels": channels, "warehouse": warehouse})


M = TypeVar("M", bound=BaseModel)


def _env_secrets(model: M) -> M:
    """Each unset secret `X` whose `X_env` names a set environment variable
    takes its value, in this model and the models inside it."""
    update: dict[str, Any] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            filled = _env_secrets(value)
            if filled is not value:
                update[name] = filled
        elif value is None and not name.endswith("_env"):
            env_name = getattr(model, f"{name}_env", None)
            if isinstance(env_name, str) and os.environ.get(env_name):
                update[name] = SecretStr(os.environ[env_name])
    return model.model_copy(update=update) if update else model


def revealed(model: BaseModel) -> dict[str, Any]:
    """The model as JSON data with its secrets in clear (the JSON dump masks them)."""
    data = model.model_dump(mode="json")
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, SecretStr):
            data[name] = value.get_secret_value()
        elif isinstance(value, BaseModel):
            data[name] = revealed(value)
    return data


def record_runtime_channels(settings: Settings) -> Path:
    path = settings.data_dir / RUNTIME_CHANNELS
    channels = {name: revealed(config) for name, config in settings.channels.items()}
    write_secret(path, json.dumps(channels, indent=2))
    return path


def settings_env(settings: Settings) -> dict[str, str]:
    """The settings as ORDERTIDE_* environment variables, for a worker
    started as a separate process."""
    env: dict[str, str] = {}

    def flatten(prefix: str, value: object) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                flatten(f"{prefix}__{key.upper()}", inner)
        elif isinstance(value, list):
            env[prefix] = json.dumps(value)  # complex values travel as JSON
        elif value is not None:
            env[prefix] = str(value).lower() if isinstance(value, bool) else str(value)

    data = settings.model_dump(mode="json")
    for name, config in settings.channels.items():  # secrets dump masked: put the real ones back
        data["channels"][name] = revealed(config)
    if settings.warehouse.secret is not None:
        data["warehouse"]["secret"] = settings.warehouse.secret.get_secret_value()
    email = settings.alerts.email
    if email is not None and email.password is not None:
        data["alerts"]["email"]["password"] = email.password.get_secret_value()
    for key, value in data.items():
        flatten(f"ORDERTIDE_{key.upper()}", value)
    return env
