"""`ordertide orders stuck` and `ordertide health`."""

from typing import Annotated

import typer
from rich.table import Table

from starter.console import out, print_json, run_async
from starter.orders_cmd import orders_app


@orders_app.command("stuck")
@run_async
async def stuck(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Orders that need attention, have waited past their SLA or have been
    accepting for minutes, and how to resume them."""
    from starter.stuck_orders import stuck_orders
    from workers.temporal_client import connect

    orders = await stuck_orders(await connect())
    if as_json:
        print_json([o.model_dump(mode="json") for o in orders])
        return
    if not orders:
        out.print("nothing is stuck")
        return
    table = Table("order", "status", "why", "what to do")
    for order in orders:
        table.add_row(
            f"{order.channel}:{order.marketplace_order_id}", order.status, "\n".join(order.reasons), order.resume_with
        )
    out.print(table)


@run_async
async def health(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Per channel: order flow, unconfirmed shipments, rejected offers, seller-fault cancellations."""
    from starter.health import channel_health
    from workers.settings import load_settings
    from workers.temporal_client import connect

    report = await channel_health(await connect(), load_settings())
    if as_json:
        print_json([h.model_dump(mode="json") for h in report])
        return
    table = Table(
        "channel", "orders 1h / usual", "unconfirmed", "attention", "offers rejected", "seller cancels 30d", "problems"
    )
    for h in report:
        table.add_row(
            h.channel,
            f"{h.orders_last_hour} / {h.usual_orders_per_hour:g}",
            str(h.shipments_unconfirmed),
            str(h.needs_attention),
            str(h.offers_rejected),
            f"{h.seller_cancellation_rate:.2%} (max {h.seller_cancellation_threshold:.0%})",
            "\n".join(h.problems) or "ok",
        )
    out.print(table)
