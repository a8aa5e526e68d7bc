"""`ordertide offers show SKU`: per channel, the offer our rules want, the
offer the channel last accepted, the offer it shows now, and why an offer is
withheld or rejected."""

from typing import Annotated, Any

import typer
from rich.table import Table

from starter.console import CommandError, out, print_json, run_async

offers_app = typer.Typer(help="Inspect offers per channel.", no_args_is_help=True)


async def offer_report(sku: str) -> list[dict[str, Any]]:
    from activities.channels import Channels
    from activities.store import Database, InventoryStore, OfferBook
    from workers.settings import load_settings

    settings = load_settings()
    db = Database(settings.store_url)
    try:
        items = InventoryStore(db).catalog_items([sku])
        if not items:
            raise CommandError(f"unknown SKU {sku!r}")
        accepted = {name: OfferBook(db).offers(name, [sku]).get(sku) for name in settings.channels}
    finally:
        db.dispose()
    channels = Channels.from_config(settings.channels)
    rows = []
    try:
        for name, config in settings.channels.items():
            desired = config.feed.desired(items[0])
            offer = accepted[name]
            live = None
            if offer and offer.offer_id and config.has_offer_export:
                try:
                    live = (await channels[name].live_offer(offer.offer_id)).model_dump(mode="json")
                except Exception as exc:
                    live = {"error": str(exc)}
            rows.append(
                {
                    "channel": name,
                    "desired": desired.model_dump(mode="json"),
                    "accepted": offer.model_dump(mode="json") if offer else None,
                    "live": live,
                }
            )
    finally:
        await channels.aclose()
    return rows


def _fmt(offer: dict[str, Any] | None, keys: tuple[str, ...] = ("price", "stock", "delivery_code", "on_hold")) -> str:
    if not offer:
        return "—"
    if "error" in offer:
        return f"unavailable: {offer['error']}"
    return ", ".join(f"{k}={offer.get(k)}" for k in keys)


def reasons(row: dict[str, Any]) -> list[str]:
    """Why one channel's offer is not as our rules want it: withheld, the
    channel's refusal (for a Kaufland import file, with the file's line), not
    publishable."""
    accepted = row["accepted"] or {}
    why = [row["desired"]["withheld_reason"]] if row["desired"]["withheld_reason"] else []
    if accepted.get("state") == "REJECTED":
        why += [f"rejected: {r}" for r in accepted.get("rejection_reasons", [])]
    why += [f"not publishable: {r}" for r in accepted.get("not_publishable_reasons", [])]
    if row["live"] and "error" not in row["live"]:
        why += [f"not publishable: {r}" for r in row["live"].get("not_publishable_reasons", [])]
    return list(dict.fromkeys(why))


@offers_app.command("resync")
@run_async
async def resync(skus: Annotated[list[str] | None, typer.Argument(help="default: every product")] = None) -> None:
    """Run every channel's feed rules again for these SKUs (all by default)."""
    from activities.store import Database
    from activities.store.catalog import CatalogStore
    from starter.catalog_api import resync_offers
    from workers.settings import load_settings
    from workers.temporal_client import connect

    db = Database(load_settings().store_url)
    try:
        db.create_schema()
        skus = skus or list(CatalogStore(db).skus())
        channels = await resync_offers(await connect(), skus, db)
    finally:
        db.dispose()
    if not channels:
        raise CommandError("no channel keeps offers in sync (see README: Configuration)")
    out.print(f"feed rules run again for {len(set(skus))} product(s) on {', '.join(channels)}", markup=False)


@offers_app.command("show")
@run_async
async def show(sku: str, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Desired vs accepted vs live offer of SKU on every channel."""
    rows = await offer_report(sku)
    if as_json:
        print_json(rows)
        return
    table = Table("channel", "desired (our rules)", "accepted (last ok)", "live (channel now)", "why")
    for row in rows:
        accepted = row["accepted"] or {}
        table.add_row(
            row["channel"],
            _fmt(row["desired"]),
            f"{_fmt(row['accepted'])} [{accepted.get('state', '—')}]" if row["accepted"] else "—",
            _fmt(row["live"]),
            "; ".join(reasons(row)),
        )
    out.print(table)
