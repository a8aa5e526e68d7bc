"""The `ordertide` command line."""

import asyncio
import logging
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from typer._click.exceptions import NoArgsIsHelpError, UsageError

from starter import args
from starter.alerts_cmd import alerts
from starter.args import checked
from starter.bench_cmd import bench_app
from starter.catalog_cmd import catalog_app, product_app
from starter.console import LOG_FORMAT, CommandError, err, finish, run_async
from starter.init_cmd import init
from starter.offers_cmd import offers_app
from starter.ops_cmd import health
from starter.orders_cmd import order_app, orders_app
from starter.picklist_cmd import picklist_command
from starter.replay_cmd import replay_command
from starter.stock_cmd import stock_app

Port = Annotated[int, typer.Option(callback=checked(args.port))]
Host = Annotated[str, typer.Option(callback=checked(args.code))]

app = typer.Typer(help="ordertide: marketplace order lifecycle engine on Temporal.", no_args_is_help=True)
sandbox_app = typer.Typer(help="Serve a marketplace sandbox.", no_args_is_help=True)
app.add_typer(orders_app, name="orders")
app.add_typer(order_app, name="order")
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(stock_app, name="stock")
app.add_typer(offers_app, name="offers")
app.add_typer(bench_app, name="bench")
app.add_typer(catalog_app, name="catalog")
app.add_typer(product_app, name="product")
app.command("replay")(replay_command)
app.command("health")(health)
app.command("alerts")(alerts)
app.command("picklist")(picklist_command)
app.command("init")(init)


@app.callback()
def _setup(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format=LOG_FORMAT)


@app.command()
@run_async
async def run(
    orders_per_minute: Annotated[
        float, typer.Option(help="buyer simulator rate", callback=checked(args.not_negative))
    ] = 4.0,
    data_dir: Path = Path(".ordertide"),
    temporal_port: Port = 7233,
    ui_port: Port = 8233,
    sandbox_port: Port = 8710,
    kaufland_sandbox_port: Port = 8720,
    codec_port: Port = 8711,
    warehouse_port: Annotated[
        int, typer.Option(help="the warehouse's pick/ship endpoint", callback=checked(args.port))
    ] = 8713,
    supplier_port: Annotated[int, typer.Option(help="the supplier portal sandbox", callback=checked(args.port))] = 8714,
    receiver_port: Annotated[
        int, typer.Option(help="the webhook receiver the supplier portal pushes to", callback=checked(args.port))
    ] = 8715,
    sftp_port: Annotated[
        int, typer.Option(help="the supplier portal's SFTP drop (supplier-sftp)", callback=checked(args.port))
    ] = 8716,
    imap_port: Annotated[
        int, typer.Option(help="the supplier mailbox over IMAP (supplier-email)", callback=checked(args.port))
    ] = 8717,
    smtp_port: Annotated[
        int,
        typer.Option(
            help="the supplier mail server's SMTP (the portal mails orders to it)", callback=checked(args.port)
        ),
    ] = 8718,
    sandbox: Annotated[
        bool | None, typer.Option("--sandbox/--no-sandbox", help="default: sandbox unless credentials are configured")
    ] = None,
    return_window_minutes: Annotated[
        float | None, typer.Option(help="shorten the return window (demos)", callback=checked(args.positive))
    ] = None,
) -> None:
    """Start everything: Temporal dev server, bol, Kaufland and supplier portal sandboxes, worker, simulators."""
    from starter.run_cmd import run_everything
    from starter.supplier_demo import DropPorts

    await run_everything(
        orders_per_minute=orders_per_minute,
        data_dir=data_dir,
        temporal_port=temporal_port,
        ui_port=ui_port,
        sandbox_port=sandbox_port,
        kaufland_sandbox_port=kaufland_sandbox_port,
        codec_port=codec_port,
        warehouse_port=warehouse_port,
        supplier_port=supplier_port,
        receiver_port=receiver_port,
        drop_ports=DropPorts(sftp=sftp_port, imap=imap_port, smtp=smtp_port),
        use_sandbox=sandbox,
        return_window=timedelta(minutes=return_window_minutes) if return_window_minutes else None,
    )


@app.command()
@run_async
async def worker(
    webhooks_port: Annotated[
        int | None,
        typer.Option(
            help="also receive bol's pushes here (as `ordertide webhooks`), so PROCESS_STATUS pushes reach "
            "the commands this worker follows",
            callback=checked(args.port),
        ),
    ] = None,
    webhooks_host: Host = "127.0.0.1",
) -> None:
    """Run the worker against an existing Temporal (TEMPORAL_* variables)."""
    import signal

    from starter.admit import admit_channels, warn_if_payloads_are_unencrypted
    from workers.settings import load_settings
    from workers.temporal_client import connect
    from workers.worker import run_worker

    settings = load_settings()
    if not settings.channels:
        raise CommandError(
            "no channel configured: run `ordertide init` (or set ORDERTIDE_CHANNELS__BOL__CLIENT_ID and "
            "…__CLIENT_SECRET), or use `ordertide run` for the sandbox"
        )
    warn_if_payloads_are_unencrypted(settings)
    settings = await admit_channels(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    webhooks = (webhooks_host, webhooks_port) if webhooks_port is not None else None
    await run_worker(await connect(), settings, stop, webhooks)


@sandbox_app.command("bol")
@run_async
async def sandbox_bol(
    port: Port = 8710,
    host: Host = "127.0.0.1",
    process_delay: Annotated[
        float, typer.Option(help="seconds a write stays PENDING", callback=checked(args.not_negative))
    ] = 0.5,
) -> None:
    """Serve the bol.com Retailer API v10 sandbox (client id/secret: sandbox/sandbox)."""
    from sandbox.bol.app import create_app
    from sandbox.bol.config import BolSandboxConfig
    from workers.http import serve

    await serve(create_app(BolSandboxConfig(process_delay_seconds=process_delay)), host, port)


@sandbox_app.command("kaufland")
@run_async
async def sandbox_kaufland(port: Port = 8720, host: Host = "127.0.0.1") -> None:
    """Serve the Kaufland Seller API v2 sandbox under /v2 (client key/secret key: sandbox/sandbox)."""
    from sandbox.kaufland.app import create_app
    from workers.http import serve

    await serve(create_app(), host, port)


@sandbox_app.command("plaza")
@run_async
async def sandbox_plaza(port: Port = 8719, host: Host = "127.0.0.1") -> None:
    """Serve bol's legacy Plaza Offer API v2 (XML) sandbox (public/private key: sandbox/sandbox)."""
    from sandbox.plaza.app import create_app
    from workers.http import serve

    await serve(create_app(), host, port)


@sandbox_app.command("supplier")
@run_async
async def sandbox_supplier(
    port: Port = 8714,
    host: Host = "127.0.0.1",
    webhook_url: Annotated[
        list[str], typer.Option(help="push each placed order here (the receiver's supplier endpoint)")
    ] = [],  # noqa: B006  # typer's declared default; the command never mutates it
    manual_status: Annotated[
        bool, typer.Option("--manual-status", help="play a portal updated by hand only (no status API)")
    ] = False,
    drops: Annotated[
        Path | None,
        typer.Option(
            help="also deliver each order as a CSV file on an SFTP server (login supplier/sandbox, folder orders) "
            "and as a mail into a mailbox (SMTP in, IMAP out, login orders/sandbox), both kept in this folder"
        ),
    ] = None,
    sftp_port: Annotated[int, typer.Option(help="the SFTP drop, with --drops", callback=checked(args.port))] = 8716,
    imap_port: Annotated[
        int, typer.Option(help="the mailbox over IMAP, with --drops", callback=checked(args.port))
    ] = 8717,
    smtp_port: Annotated[
        int, typer.Option(help="the mail server's SMTP, with --drops", callback=checked(args.port))
    ] = 8718,
) -> None:
    """Serve the dropship supplier portal sandbox (API key: sandbox; webhook secret: sandbox-webhook-secret)."""
    from sandbox.supplier.app import create_app as create_supplier
    from sandbox.supplier.config import SupplierSandboxConfig
    from workers.http import serve

    config = SupplierSandboxConfig(webhook_urls=list(webhook_url), status_api=not manual_status)
    if drops is not None:
        config = config.model_copy(
            update={
                "sftp_root": str(drops / "sftp"),
                "sftp_port": sftp_port,
                "mail_root": str(drops / "mail"),
                "imap_port": imap_port,
                "smtp_port": smtp_port,
            }
        )
    await serve(create_supplier(config), host, port)


@app.command()
@run_async
async def webhooks(port: Port = 8712, host: Host = "127.0.0.1") -> None:
    """Receive marketplace push notifications (POST /webhooks/bol/<channel>,
    /webhooks/kaufland/<channel>/<push_token>, /webhooks/supplier/<channel>)
    and, with a warehouse secret configured, the warehouse's picks and shipments."""
    from domain.config import BolChannelConfig, KauflandChannelConfig
    from workers.http import serve
    from workers.settings import load_settings
    from workers.temporal_client import connect
    from workers.warehouse_endpoint import warehouse_routes
    from workers.webhooks import create_webhook_app
    from workers.worker import Engine

    settings = load_settings()
    if not settings.channels:
        raise CommandError("no channel configured (see README: Configuration)")
    for name, config in settings.channels.items():
        if isinstance(config, BolChannelConfig) and config.retailer_id is None:
            err.print(
                f"channel {name}: no retailer_id configured, so its pushes are refused (403); "
                f"set ORDERTIDE_CHANNELS__{name.upper()}__RETAILER_ID"
            )
        if isinstance(config, KauflandChannelConfig) and config.push_token is None:
            err.print(f"channel {name}: no push_token configured, so its pushes are refused (403); polling goes on")
    client = await connect()
    # With the store, as the worker's: supplier portals' pushed orders are
    # saved in its inbox before Temporal hears of them, and new orders start
    # accepted (activities/order_start.py).
    intake = Engine.build(settings).intake(client)
    secret = settings.warehouse.secret
    # The warehouse's pick and ship endpoint rides along once its secret is configured.
    warehouse = warehouse_routes(client, secret) if secret is not None else None
    # Kaufland's callback URLs hold their channel's push_token: no access log
    # may keep it (the receiver logs what it did, token left out).
    kaufland = any(isinstance(c, KauflandChannelConfig) for c in settings.channels.values())
    await serve(create_webhook_app(intake, settings.webhooks, warehouse), host, port, access_log=not kaufland)


@app.command("codec-server")
@run_async
async def codec_server(
    port: Port = 8711,
    host: Host = "127.0.0.1",
    token_file: Annotated[
        Path | None, typer.Option(envvar="ORDERTIDE_CODEC_TOKEN_FILE", help="file holding the token callers send")
    ] = None,
    ui_origin: Annotated[list[str], typer.Option(help="Web UI origin allowed by CORS")] = ["http://localhost:8233"],  # noqa: B006  # typer's declared default; the command never mutates it
) -> None:
    """Serve the payload codec to the Temporal Web UI and `temporal --codec-endpoint`, behind a token
    (ORDERTIDE_CODEC_TOKEN or --token-file; callers send Authorization: Bearer <token>)."""
    from workers.codec import EncryptionCodec
    from workers.codec_server import create_codec_app
    from workers.codec_token import configured_codec_token
    from workers.http import serve
    from workers.settings import load_settings

    # Never a command-line value: anyone on the host can read those in `ps`.
    token = configured_codec_token(token_file)
    keys = load_settings().codec_keys()
    if keys is None:
        raise CommandError("no codec keys: set ORDERTIDE_CODEC_KEY_FILE or create .ordertide/codec-keys.json")
    # Its own request log stands in for uvicorn's access log, which prints paths.
    logging.getLogger("workers.codec_server").setLevel(logging.INFO)
    await serve(create_codec_app(EncryptionCodec(keys), token, ui_origin), host, port, access_log=False)


def main() -> None:
    """Usage errors are one line naming the argument, like every other error
    (typer would draw a box with the usage around it), exit code 2."""
    try:
        code = app(standalone_mode=False)
    except NoArgsIsHelpError:
        app()  # typer shows the help, as it always has
        return
    except UsageError as exc:
        err.print(f"error: {exc.format_message()}", markup=False, highlight=False, soft_wrap=True)
        code = exc.exit_code
    except typer.Abort:
        code = 1
    finish(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
