"""The `ordertide` command line."""

import asyncio
import logging
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from typer._click.exceptions import NoArgsIsHelpError, UsageError

from starter import args
from starter.args import checked
from starter.bench_cmd import bench_app
from starter.catalog_cmd import catalog_app, product_app
from starter.console import CommandError, err, finish, run_async
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
app.command("picklist")(picklist_command)
app.command("init")(init)


@app.callback()
def _setup(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


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
    codec_port: Port = 8711,
    warehouse_port: Annotated[
        int, typer.Option(help="the warehouse's pick/ship endpoint", callback=checked(args.port))
    ] = 8713,
    sandbox: Annotated[
        bool | None, typer.Option("--sandbox/--no-sandbox", help="default: sandbox unless credentials are configured")
    ] = None,
    return_window_minutes: Annotated[
        float | None, typer.Option(help="shorten the return window (demos)", callback=checked(args.positive))
    ] = None,
) -> None:
    """Start everything: Temporal dev server, bol sandbox, worker, simulators."""
    from starter.run_cmd import run_everything

    await run_everything(
        orders_per_minute=orders_per_minute,
        data_dir=data_dir,
        temporal_port=temporal_port,
        ui_port=ui_port,
        sandbox_port=sandbox_port,
        codec_port=codec_port,
        warehouse_port=warehouse_port,
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

    from starter.admit import admit_channels
    from workers.settings import load_settings
    from workers.temporal_client import connect
    from workers.worker import run_worker

    settings = load_settings()
    if not settings.channels:
        raise CommandError(
            "no channel configured: run `ordertide init` (or set ORDERTIDE_CHANNELS__BOL__CLIENT_ID and "
            "…__CLIENT_SECRET), or use `ordertide run` for the sandbox"
        )
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


@app.command()
@run_async
async def webhooks(port: Port = 8712, host: Host = "127.0.0.1") -> None:
    """Receive marketplace push notifications (POST /webhooks/bol/<channel>) and,
    with a warehouse secret configured, the warehouse's picks and shipments."""
    from activities.channels import Channels
    from activities.intake import IntakeActivities
    from workers.http import serve
    from workers.settings import load_settings
    from workers.temporal_client import connect
    from workers.warehouse_endpoint import warehouse_routes
    from workers.webhooks import create_webhook_app

    settings = load_settings()
    if not settings.channels:
        raise CommandError("no channel configured (see README: Configuration)")
    for name, config in settings.channels.items():
        if config.retailer_id is None:
            err.print(
                f"channel {name}: no retailer_id configured, so its pushes are refused (403); "
                f"set ORDERTIDE_CHANNELS__{name.upper()}__RETAILER_ID"
            )
    client = await connect()
    intake = IntakeActivities(Channels.from_config(settings.channels), client, settings.task_queue)
    secret = settings.warehouse.secret
    # The warehouse's pick and ship endpoint rides along once its secret is configured.
    warehouse = warehouse_routes(client, secret) if secret is not None else None
    await serve(create_webhook_app(intake, settings.webhooks, warehouse), host, port)


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
