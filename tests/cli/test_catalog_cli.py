"""`ordertide catalog ...` and `ordertide product ...`, run as a seller runs
them: a separate process on a store file, with or without Temporal."""

import csv
import io
import json
import os
from decimal import Decimal
from pathlib import Path

import httpx

from activities.store import AlertBook, Database, InventoryStore, OfferBook
from domain.offers.model import OfferState
from sandbox.bol.app import create_app
from sandbox.bol.config import BolSandboxConfig
from tests.cli.test_cli import ordertide
from tests.sandbox.helpers import MUG_OFFER, BolClient, state
from tests.support import bol_channel, eventually
from workers.http import serve_in_thread
from workers.settings import Settings, settings_env

UNREACHABLE = "127.0.0.1:1"


def offline_env(tmp_path: Path, **settings: object) -> dict[str, str]:
    """No Temporal: the catalog is saved all the same."""
    configured = settings_env(Settings(data_dir=tmp_path, **settings))  # type: ignore[arg-type]
    return {**os.environ, **configured, "TEMPORAL_ADDRESS": UNREACHABLE, "COLUMNS": "200"}


async def test_a_catalog_file_applies_its_good_rows_and_names_the_bad_ones(tmp_path):
    env = offline_env(tmp_path)
    code, template, _ = await ordertide("catalog", "template", env=env)
    assert code == 0 and template == "sku,ean,title,brand,category,condition,cost_price,list_price,on_hand\n"

    path = tmp_path / "catalog.csv"
    path.write_text(
        "\ufeffsku;ean;title;brand;category;condition;cost_price;list_price;on_hand\n"  # as a Dutch spreadsheet saves it
        "MUG-BLUE;8710103917885;Blue enamel mug;Tide;kitchen;new;4,10;12,95;40\n"
        "MUG-RED;8710103917886;Red enamel mug;Tide;kitchen;;4,10;12,95;\n"
        'LAMP-DESK;4006381333931;=HYPERLINK("http://evil");Lumo;home;as new;18.50;49.99;3\n'
        "TOWEL-XL;5901234123457;Bath towel XL;Softa;home;;7,25;19.999;\n"
        "BOARD-OAK;9780201379624;Oak board;Tide;kitchen;shiny;;29.95;\n",
        encoding="utf-8",
    )
    code, out, err = await ordertide("catalog", "import", str(path), env=env)
    assert code == 1
    assert err.splitlines() == [
        f"{path}:3: ean: invalid EAN '8710103917886': The number's checksum or check digit is invalid.",
        f"{path}:5: list_price: '19.999' has more than two decimals",
        f"{path}:6: condition: 'shiny' is not one of NEW, AS_NEW, GOOD, REASONABLE, MODERATE",
        "error: 3 row(s) rejected; the others were applied",
    ]
    assert "2 of 5 rows applied: 2 new, 0 changed, 0 unchanged" in out
    assert "offers and waiting orders not updated: Temporal is not reachable" in out
    # ... and the failed file is an alert until it imports cleanly (README, "Alerts").
    db = Database(Settings(data_dir=tmp_path).store_url)
    try:
        (failed,) = AlertBook(db).failed_imports()
    finally:
        db.dispose()
    assert (failed.kind, failed.name, failed.message) == ("catalog", "catalog.csv", "3 row(s) rejected")

    code, out, err = await ordertide("product", "show", "MUG-BLUE", "--json", env=env)
    assert code == 0, err
    mug = json.loads(out)
    assert (mug["ean"], mug["condition"], mug["cost_price"], mug["list_price"], mug["on_hand"]) == (
        "8710103917885",
        "NEW",
        "4.10",
        "12.95",
        40,
    )

    code, out, err = await ordertide("product", "set", "MUG-BLUE", "--list-price", "13,50", env=env)
    assert code == 0 and "MUG-BLUE: list_price=13.50, on_hand=40" in out
    code, _, err = await ordertide("product", "set", "MUG-BLUE", "--cost-price", "4.1.0", env=env)
    assert code == 1 and err.strip() == "error: --cost-price: '4.1.0' is not a price"
    code, _, err = await ordertide("product", "set", "KETTLE", "--title", "Kettle", env=env)
    assert code == 1 and err.strip() == "error: --ean: a new product needs one (SKU KETTLE is not in the catalog)"

    code, out, err = await ordertide("catalog", "export", env=env)
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert rows == [
        ["sku", "ean", "title", "brand", "category", "condition", "cost_price", "list_price", "on_hand"],
        ["LAMP-DESK", "4006381333931", '\'=HYPERLINK("http://evil")', "Lumo", "home", "AS_NEW", "18.50", "49.99", "3"],
        ["MUG-BLUE", "8710103917885", "Blue enamel mug", "Tide", "kitchen", "NEW", "4.10", "13.50", "40"],
    ]
    # The export is a catalog file: importing it back changes nothing.
    exported = tmp_path / "exported.csv"
    exported.write_text(out)
    code, out, err = await ordertide("catalog", "import", str(exported), env=env)
    assert code == 0, err
    assert "2 of 2 rows applied: 0 new, 0 changed, 2 unchanged" in out


async def test_a_seller_on_bol_starts_the_catalog_from_the_offer_export(tmp_path):
    app = create_app(BolSandboxConfig(process_delay_seconds=0.02))
    server = serve_in_thread(app)
    try:
        async with httpx.AsyncClient(base_url=server.url) as http:
            bol = BolClient(http)
            for offer in (
                MUG_OFFER,
                {**MUG_OFFER, "ean": "4006381333931", "reference": "LAMP-DESK", "condition": {"name": "AS_NEW"}},
                {**MUG_OFFER, "ean": "5901234123457", "reference": None},  # no reference: the EAN stands in
            ):
                assert (await bol.create_offer(**offer)).status_code == 202
        await eventually(lambda: len(state(app).offers()) == 3)
        store_url = f"sqlite:///{tmp_path / 'store.db'}"
        env = offline_env(tmp_path, database_url=store_url, channels={"bol": bol_channel(server.url)})

        code, out, err = await ordertide("catalog", "import", "--from-channel", "bol", env=env)
        assert code == 0, err
        assert "3 of 3 rows applied: 3 new, 0 changed, 0 unchanged" in out and "3 offers linked" in out
    finally:
        server.stop()

    db = Database(store_url)
    try:
        products = {p.sku: p for p in InventoryStore(db).products()}
        assert set(products) == {"MUG-BLUE", "LAMP-DESK", "5901234123457"}
        assert (products["MUG-BLUE"].ean, products["MUG-BLUE"].list_price) == ("8710103917885", Decimal("12.95"))
        assert products["LAMP-DESK"].condition == "AS_NEW"
        assert InventoryStore(db).stock("MUG-BLUE").on_hand == 10
        live_ids = {o["ean"]: o["offerId"] for o in state(app).offers()}
        linked = OfferBook(db).offers("bol")
        assert linked["MUG-BLUE"].offer_id == live_ids["8710103917885"]
        assert linked["MUG-BLUE"].state is OfferState.ACCEPTED and linked["MUG-BLUE"].stock == 10
    finally:
        db.dispose()
