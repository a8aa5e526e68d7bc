"""docker-compose.yml describes production. No Docker engine runs here, so
this checks what can be checked: services, pinned images, wiring."""

import re
from pathlib import Path

import yaml

from domain.names import SEARCH_ATTRIBUTES
from workers.devserver import SEARCH_ATTRIBUTE_TYPES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def env(service: str) -> dict[str, str]:
    return SERVICES[service].get("environment", {})


def test_every_production_part_is_there():
    assert {
        "postgresql",
        "temporal-admin-tools",
        "temporal",
        "temporal-search-attributes",
        "temporal-ui",
        "store-db",
        "worker",
        "webhooks",
        "codec-server",
        "otel-collector",
    } <= set(SERVICES)


def test_images_are_pinned():
    for name, service in SERVICES.items():
        image = service.get("image")
        assert image, f"{name} has no image"
        assert re.fullmatch(r"[\w./-]+:[\w.-]+", image) and not image.endswith(":latest"), f"{name}: {image}"


def test_depends_on_names_real_services():
    for name, service in SERVICES.items():
        for dependency in service.get("depends_on", []):
            assert dependency in SERVICES, f"{name} depends on unknown {dependency}"


def test_temporal_runs_on_postgresql_and_the_apps_find_it():
    assert env("temporal")["DB"] == "postgres12" and env("temporal")["POSTGRES_SEEDS"] == "postgresql"
    for service in ("worker", "webhooks"):
        assert env(service)["TEMPORAL_ADDRESS"] == "temporal:7233"
    assert env("temporal-ui")["TEMPORAL_ADDRESS"] == "temporal:7233"


def test_the_store_is_the_postgresql_service():
    url = env("worker")["ORDERTIDE_DATABASE_URL"]
    assert url.startswith("postgresql://") and "@store-db:5432/" in url


def test_every_search_attribute_is_registered_with_its_type():
    command = " ".join(SERVICES["temporal-search-attributes"]["command"])
    assert "--namespace default" in command
    for key in SEARCH_ATTRIBUTES:
        assert f"--name {key.name} --type {SEARCH_ATTRIBUTE_TYPES[key.indexed_value_type]}" in command


def test_the_ui_decodes_through_the_codec_server_and_traces_reach_the_collector():
    codec_port = SERVICES["codec-server"]["ports"][0].split(":")[0]
    assert env("temporal-ui")["TEMPORAL_CODEC_ENDPOINT"].startswith(f"http://localhost:{codec_port}/t/")
    assert env("worker")["ORDERTIDE_TELEMETRY__OTLP_ENDPOINT"].startswith("http://otel-collector:4318")
    collector_config = ROOT / SERVICES["otel-collector"]["volumes"][0].split(":")[0]
    assert yaml.safe_load(collector_config.read_text())["receivers"]["otlp"]


def test_workers_can_scale_horizontally():
    worker = SERVICES["worker"]
    assert "container_name" not in worker and "ports" not in worker
    assert worker["command"] == ["ordertide", "worker"]


def test_the_webhook_receiver_knows_which_seller_account_its_pushes_must_name():
    # Without it every push is refused (403), and orders arrive only by polling.
    assert env("webhooks")["ORDERTIDE_CHANNELS__BOL__RETAILER_ID"] == "${BOL_RETAILER_ID:?set BOL_RETAILER_ID}"
