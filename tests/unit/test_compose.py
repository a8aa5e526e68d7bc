"""docker-compose.yml describes production. No Docker engine runs here, so
this checks what can be checked: services, pinned images, wiring, and who
can reach what."""

import re
from pathlib import Path

import yaml

from domain.names import SEARCH_ATTRIBUTES
from workers.devserver import ONE_PARTITION_ARGS, SEARCH_ATTRIBUTE_TYPES

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
SERVICES = COMPOSE["services"]
CADDYFILE = (ROOT / "deploy" / "Caddyfile").read_text()


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
        "ops-proxy",
        "oauth2-proxy",
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
    assert env("worker")["PGPASSWORD"] == env("store-db")["POSTGRES_PASSWORD"]


def test_every_search_attribute_is_registered_with_its_type():
    command = " ".join(SERVICES["temporal-search-attributes"]["command"])
    assert "--namespace default" in command
    for key in SEARCH_ATTRIBUTES:
        assert f"--name {key.name} --type {SEARCH_ATTRIBUTE_TYPES[key.indexed_value_type]}" in command


def test_the_ui_decodes_through_the_codec_server_and_traces_reach_the_collector():
    assert (
        env("temporal-ui")["TEMPORAL_CODEC_ENDPOINT"] == "https://${ORDERTIDE_OPS_HOST:?set ORDERTIDE_OPS_HOST}/codec"
    )
    assert "reverse_proxy codec-server:8711" in CADDYFILE
    assert env("worker")["ORDERTIDE_TELEMETRY__OTLP_ENDPOINT"].startswith("http://otel-collector:4318")
    collector_config = ROOT / SERVICES["otel-collector"]["volumes"][0].split(":")[0]
    assert yaml.safe_load(collector_config.read_text())["receivers"]["otlp"]


def test_only_the_authenticating_proxy_is_published():
    published = {name for name, service in SERVICES.items() if service.get("ports") or service.get("network_mode")}
    assert published == {"ops-proxy"}
    assert {port.split(":")[-1] for port in SERVICES["ops-proxy"]["ports"]} == {"443", "80", "7233"}


def test_temporal_the_databases_the_ui_and_the_codec_server_are_on_an_internal_network_only():
    assert COMPOSE["networks"]["backend"]["internal"] is True
    for name in ("temporal", "postgresql", "store-db", "temporal-ui", "codec-server", "temporal-admin-tools"):
        assert SERVICES[name]["networks"] == ["backend"], name
    for name, service in SERVICES.items():
        assert service.get("networks"), f"{name} would join the default network"


def _site(address: str) -> str:
    """One site block of the Caddyfile, by its address line."""
    opening = f"\n{address} {{\n"
    start = CADDYFILE.index(opening) + len(opening)
    depth = 1
    for end in range(start, len(CADDYFILE)):
        depth += {"{": 1, "}": -1}.get(CADDYFILE[end], 0)
        if depth == 0:
            return CADDYFILE[start:end]
    raise AssertionError(f"site {address} is not closed")


def test_the_ui_and_the_codec_server_need_single_sign_on():
    site = _site("{$ORDERTIDE_OPS_HOST}")
    signed_in = site[site.index("forward_auth oauth2-proxy:4180") :]
    assert "reverse_proxy temporal-ui:8080" in signed_in and "reverse_proxy codec-server:8711" in signed_in
    before_sign_in = site[: site.index("forward_auth")]
    assert "temporal-ui" not in before_sign_in and "codec-server" not in before_sign_in
    oidc = env("oauth2-proxy")
    assert oidc["OAUTH2_PROXY_PROVIDER"] == "oidc" and oidc["OAUTH2_PROXY_COOKIE_SECURE"] == "true"
    assert oidc["OAUTH2_PROXY_OIDC_ISSUER_URL"].startswith("${OIDC_ISSUER_URL:?")


def test_the_codec_token_stays_on_the_servers_and_out_of_every_url():
    codec = _site("{$ORDERTIDE_OPS_HOST}")
    assert 'header_up Authorization "Bearer {$CODEC_TOKEN}"' in codec
    holders = {name for name, service in SERVICES.items() if "CODEC_TOKEN" in str(service.get("environment", {}))}
    assert holders == {"codec-server", "ops-proxy"}
    for name, service in SERVICES.items():
        for key, value in service.get("environment", {}).items():
            if "://" in str(value):
                assert not re.search(r"TOKEN|SECRET|PASSWORD|://[^/@]*:[^/@]*@", str(value)), f"{name} {key}: {value}"


def test_no_default_passwords():
    for name in ("postgresql", "store-db"):
        assert env(name)["POSTGRES_PASSWORD"].startswith("${"), name
    assert env("temporal")["POSTGRES_PWD"].startswith("${")


def test_clients_outside_reach_temporal_only_with_tls_and_a_client_certificate():
    grpc = _site("{$ORDERTIDE_OPS_HOST}:7233")
    assert "mode require_and_verify" in grpc and "trust_pool file /run/secrets/temporal_clients_ca" in grpc
    assert "reverse_proxy h2c://temporal:7233" in grpc
    assert "temporal_clients_ca" in SERVICES["ops-proxy"]["secrets"]


def test_workers_can_scale_horizontally():
    worker = SERVICES["worker"]
    assert "container_name" not in worker and "ports" not in worker
    assert worker["command"] == ["ordertide", "worker"]


def test_the_webhook_receiver_knows_which_seller_account_its_pushes_must_name():
    # Without it every push is refused (403), and orders arrive only by polling.
    assert env("webhooks")["ORDERTIDE_CHANNELS__BOL__RETAILER_ID"] == "${BOL_RETAILER_ID:?set BOL_RETAILER_ID}"


def test_the_temporal_server_is_configured_as_the_embedded_one_the_benchmarks_measure():
    """Without the mounted dynamic config a self-hosted server refuses eager
    activities, every shipment takes a trip through matching that the
    benchmarks never measured, and a burst can lose workflow tasks to
    forwarded polls between task queue partitions (workers/devserver.py)."""
    mounts = dict(volume.rsplit(":", 1)[0].split(":", 1) for volume in SERVICES["temporal"]["volumes"])
    target = env("temporal")["DYNAMIC_CONFIG_FILE_PATH"]
    [source] = [src for src, dst in mounts.items() if dst == target]
    config = yaml.safe_load((ROOT / source).read_text())
    assert config["system.enableActivityEagerExecution"] == [{"value": True}]
    assert config["system.enableEagerWorkflowStart"] == [{"value": True}]
    dev_server = dict(value.split("=", 1) for value in ONE_PARTITION_ARGS[1::2])
    for key, value in dev_server.items():
        assert config[key] == [{"value": int(value)}]
