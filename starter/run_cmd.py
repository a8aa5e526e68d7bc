"""`ordertide run`: the whole engine in one process tree on the embedded
defaults — Temporal dev server (SQLite under .ordertide/, Web UI), the bol
sandbox, the worker, a buyer and a warehouse simulator. Ctrl-C stops it all."""

import asyncio
import contextlib
import logging
import signal
from datetime import timedelta
from pathlib import Path

from pydantic import SecretStr

from domain.config import BolChannelConfig, ChannelConfig, KauflandChannelConfig
from sandbox.bol.app import create_app
from sandbox.bol.config import BolSandboxConfig
from sandbox.kaufland.app import create_app as create_kaufland_app
from sandbox.kaufland.config import KauflandSandboxConfig
from sandbox.supplier.accounts import create_portal
from starter.admit import admit_channels
from starter.console import out
from starter.demo_catalog import DEMO_PRICES, seed_demo_catalog
from starter.kaufland_buyer import KauflandBuyerSimulator
from starter.simulators import BuyerSimulator, WarehouseSimulator
from starter.supplier_demo import (
    DEMO_DROP_PORTS,
    DROP_LOGIN,
    MAILBOX_LOGIN,
    DropPorts,
    RetailerSimulator,
    demo_channels,
    portal_accounts,
)
from starter.warehouse_inbox import WarehouseInbox
from workers.alert_schedule import ensure_alert_schedule
from workers.codec import CodecKeys, EncryptionCodec
from workers.codec_server import create_codec_app
from workers.codec_token import DEV_TOKEN_FILE, load_or_create_codec_token
from workers.devserver import DevServer
from workers.http import serve_in_thread, serving
from workers.secret_file import private_dir
from workers.settings import RUNTIME_CHANNELS, Settings, WarehouseSettings, load_settings, record_runtime_channels
from workers.temporal_client import connect
from workers.warehouse_endpoint import create_warehouse_app
from workers.webhooks import create_webhook_app
from workers.worker import Engine, ensure_intake

log = logging.getLogger(__name__)

WAREHOUSE_SECRET = "warehouse-secret"


def sandbox_channel(url: str, return_window: timedelta | None) -> BolChannelConfig:
    return BolChannelConfig(
        api_base_url=url,
        token_url=f"{url}/token",
        client_id="sandbox",
        client_secret=SecretStr("sandbox"),
        retailer_id=BolSandboxConfig().retailer_id,
        poll_interval=timedelta(seconds=2),
        process_status_patience=timedelta(minutes=2),
        # The sandbox settles writes in a fraction of a second.
        process_status_poll=timedelta(milliseconds=100),
        return_window=return_window,
    )


def marketplace_channels(bol_url: str, kaufland_url: str, return_window: timedelta | None) -> dict[str, ChannelConfig]:
    return {
        "bol": sandbox_channel(bol_url, return_window),
        "kaufland": kaufland_sandbox_channel(kaufland_url, return_window),
    }


def kaufland_sandbox_channel(url: str, return_window: timedelta | None) -> KauflandChannelConfig:
    """A channel on the Kaufland sandbox at `url` (its root; the API is under /v2)."""
    sandbox = KauflandSandboxConfig()
    return KauflandChannelConfig(
        api_base_url=f"{url}/v2",
        client_key=sandbox.client_key,
        secret_key=SecretStr(sandbox.secret_key),
        poll_interval=timedelta(seconds=2),
        # The sandbox processes an import file in a fraction of a second.
        import_file_poll=timedelta(milliseconds=200),
        return_window=return_window,
    )


async def run_everything(
    *,
    orders_per_minute: float,
    data_dir: Path,
    temporal_port: int,
    ui_port: int,
    sandbox_port: int,
    codec_port: int,
    use_sandbox: bool | None,
    warehouse_port: int = 8713,
    supplier_port: int = 8714,
    receiver_port: int = 8715,
    drop_ports: DropPorts = DEMO_DROP_PORTS,
    kaufland_sandbox_port: int = 8720,
    return_window: timedelta | None,
) -> None:
    configured = load_settings(data_dir=data_dir)
    if use_sandbox is None:
        # A channel with any credential configured is meant for the real API:
        # a forgotten secret must stop it, not quietly swap in the sandbox.
        use_sandbox = not any(c.credentials_configured for c in configured.channels.values())
    if not use_sandbox:
        # Before anything starts: a refused channel is named and left out.
        configured = await admit_channels(configured)
    await asyncio.to_thread(private_dir, data_dir)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    keys = CodecKeys.load_or_create(configured.codec_key_file or data_dir / "codec-keys.json")
    token_file = data_dir / DEV_TOKEN_FILE
    codec_token = await asyncio.to_thread(load_or_create_codec_token, token_file)
    codec = serve_in_thread(
        create_codec_app(
            EncryptionCodec(keys), codec_token, [f"http://localhost:{ui_port}", f"http://127.0.0.1:{ui_port}"]
        ),
        port=codec_port,
    )
    # localhost, like the UI's address: the browser's sign-in cookie is only
    # sent to the host it came from. No token here: this is a command line.
    codec_endpoint = f"http://localhost:{codec.port}"
    server = DevServer(
        db_file=data_dir / "temporal.db",
        port=temporal_port,
        ui_port=ui_port,
        log_file=data_dir / "temporal.log",
        extra_args=["--ui-codec-endpoint", codec_endpoint],
    )
    try:
        server.start()
    except Exception:
        codec.stop()
        raise
    sandbox = kaufland = None
    portal = None
    engine: Engine | None = None
    inbox: WarehouseInbox | None = None
    try:
        async with contextlib.AsyncExitStack() as serving_here:
            if use_sandbox:
                sandbox = serve_in_thread(create_app(BolSandboxConfig()), port=sandbox_port)
                kaufland = serve_in_thread(create_kaufland_app(KauflandSandboxConfig()), port=kaufland_sandbox_port)
                # The demo warehouse gets its orders pushed, signed with a secret kept in the data dir.
                secret = SecretStr(await asyncio.to_thread(load_or_create_codec_token, data_dir / WAREHOUSE_SECRET))
                inbox = WarehouseInbox(secret)
                inbox_url = await serving_here.enter_async_context(serving(inbox.app()))
                # The supplier portal: one account per intake mode, pushing to the receiver.
                receiver_url = f"http://127.0.0.1:{receiver_port}"
                # With its SFTP drop and the supplier's mail server, kept in the data dir.
                accounts = portal_accounts(receiver_url, data_dir / "supplier-portal", drop_ports)
                portal = serve_in_thread(create_portal(accounts), port=supplier_port)
                settings = Settings(
                    data_dir=data_dir,
                    database_url=configured.database_url,
                    channels={
                        **marketplace_channels(sandbox.url, kaufland.url, return_window),
                        **demo_channels(portal.url, return_window, drops=drop_ports),
                    },
                    warehouse=WarehouseSettings(url=f"{inbox_url}/orders", secret=secret),
                    alerts=configured.alerts,
                )
            else:
                settings = configured
            engine = Engine.build(settings)
            if sandbox is not None:
                record_runtime_channels(settings)
            client = await connect(server.address, keys)
            warehouse_endpoint = None
            if settings.warehouse.secret is not None:
                app = create_warehouse_app(client, settings.warehouse.secret)
                warehouse_endpoint = await serving_here.enter_async_context(serving(app, port=warehouse_port))
                if inbox is not None:
                    inbox.endpoint = warehouse_endpoint
            await ensure_intake(client, settings)
            await ensure_alert_schedule(client, settings)
            receiver = None
            if portal is not None:
                hooks = create_webhook_app(engine.intake(client))
                receiver = await serving_here.enter_async_context(serving(hooks, port=receiver_port))
            tasks = []
            async with engine.worker(client):
                if sandbox is not None and kaufland is not None:
                    catalog = await asyncio.to_thread(seed_demo_catalog, engine.inventory)
                    # The same catalogue sells on both marketplaces, from one stock.
                    buyer = BuyerSimulator(sandbox.url, catalog, DEMO_PRICES, orders_per_minute / 2)
                    kaufland_buyer = KauflandBuyerSimulator(kaufland.url, catalog, DEMO_PRICES, orders_per_minute / 2)
                    warehouse = WarehouseSimulator(
                        client, engine.inventory, restock=(settings.task_queue, 5), pushed=inbox
                    )
                    tasks = [
                        asyncio.create_task(buyer.run(stop)),
                        asyncio.create_task(kaufland_buyer.run(stop)),
                        asyncio.create_task(warehouse.run(stop)),
                    ]
                if portal is not None:
                    retailer = RetailerSimulator(portal.url, catalog, DEMO_PRICES, interval=30.0)
                    tasks.append(asyncio.create_task(retailer.run(stop)))
                secret_file = data_dir / WAREHOUSE_SECRET if inbox is not None else None
                _print_where(
                    server,
                    (sandbox.url, kaufland.url) if sandbox and kaufland else None,
                    settings,
                    orders_per_minute,
                    codec_endpoint,
                    token_file,
                    (warehouse_endpoint, secret_file),
                    (portal.url if portal else None, receiver),
                    drop_ports,
                )
                await stop.wait()
                out.print("stopping…")
                for task in tasks:
                    with contextlib.suppress(Exception):
                        await task
    finally:
        (data_dir / RUNTIME_CHANNELS).unlink(missing_ok=True)
        if engine is not None:
            await engine.aclose()
        if sandbox is not None:
            sandbox.stop()
        if portal is not None:
            portal.stop()
        if kaufland is not None:
            kaufland.stop()
        server.stop()
        codec.stop()


def _print_where(
    server: DevServer,
    sandbox_urls: tuple[str, str] | None,
    settings: Settings,
    orders_per_minute: float,
    codec_endpoint: str,
    token_file: Path,
    warehouse: tuple[str | None, Path | None],
    supplier: tuple[str | None, str | None] = (None, None),
    drops: DropPorts = DEMO_DROP_PORTS,
) -> None:
    out.print("[bold]ordertide is running[/]  (Ctrl-C stops everything)")
    out.print(f"  Temporal Web UI   {server.ui_url}/namespaces/default/workflows")
    out.print(f"  Temporal gRPC     {server.address}  (history in {server.db_file})")
    if sandbox_urls:
        bol_url, kaufland_url = sandbox_urls
        out.print(f"  bol.com sandbox   {bol_url}  (Retailer API under /retailer, control API under /_sandbox)")
        out.print(f"  Kaufland sandbox  {kaufland_url}  (Seller API v2 under /v2, control API under /_sandbox)")
        out.print(
            f"  buyer simulator   {orders_per_minute:g} orders/minute, half on each; "
            "warehouse picks ~5 s after the push"
        )
    out.print(f"  codec server      {codec_endpoint}  (payloads are encrypted; the UI decodes through it)")
    out.print(f"                    sign in there once with the token in {token_file}; in the UI's codec settings")
    out.print(f'                    use {codec_endpoint} with "Include cross-origin credentials" on')
    out.print('                    CLI: temporal … --codec-endpoint … --codec-auth "Bearer <token>"')
    endpoint, secret_file = warehouse
    if endpoint:
        out.print(f"  warehouse         picks and shipments: POST {endpoint}/warehouse/orders/<order id>/pick|ship")
    if secret_file:
        out.print(f"                    the demo warehouse gets the orders pushed; the secret is in {secret_file}")
    portal_url, receiver = supplier
    if portal_url:
        out.print(f"  supplier portal   {portal_url}/<channel>  (API under /api/v1, control API under /_sandbox)")
        out.print(
            f"                    supplier-api: polled; supplier-webhook: pushed to {receiver}/webhooks/supplier/supplier-webhook"
        )
        out.print(
            f"                    supplier-sftp: a CSV file per order on sftp://{DROP_LOGIN[0]}@127.0.0.1:{drops.sftp}/orders"
            f" (password {DROP_LOGIN[1]})"
        )
        out.print(
            f"                    supplier-email: a mail per order, SMTP in on 127.0.0.1:{drops.smtp},"
            f" IMAP on 127.0.0.1:{drops.imap} ({MAILBOX_LOGIN[0]}/{MAILBOX_LOGIN[1]})"
        )
        out.print("                    a retailer places an order on each every 30 s")
    out.print(f"  store             {settings.store_url}")
    out.print(f"  channels          {', '.join(settings.channels) or 'none configured'}")
    out.print("  try               ordertide orders list   |   ordertide order show <id>")
