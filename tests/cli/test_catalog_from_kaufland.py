"""`catalog import --from-channel` for a seller already on Kaufland: the
units the storefront lists become products linked to them, over real HTTP
against the Kaufland sandbox, as a seller runs the command."""

from decimal import Decimal

from activities.store import Database, InventoryStore, OfferBook
from domain.offers.model import OfferState
from sandbox.kaufland.app import create_app
from tests.cli.test_catalog_cli import offline_env
from tests.cli.test_cli import ordertide
from tests.support import kaufland_channel
from workers.http import serve_in_thread

UNITS = [
    {"id_offer": "MUG-BLUE", "ean": "8710103917885", "listing_price": 1295, "amount": 7},
    {"id_offer": "LAMP-DESK", "ean": "4006381333931", "listing_price": 4999, "amount": 2, "condition": "USED___AS_NEW"},
    # A condition we never list in: named, not guessed.
    {"id_offer": "BOARD-OAK", "ean": "9780201379624", "listing_price": 2995, "condition": "USED___VERY_GOOD"},
]


async def test_a_seller_on_kaufland_starts_the_catalog_from_the_units_listed(tmp_path):
    app = create_app()
    units = {unit["id_offer"]: app.state.sandbox.units.create("de", {"handling_time": 1, **unit}) for unit in UNITS}
    server = serve_in_thread(app)
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    try:
        env = offline_env(tmp_path, database_url=store_url, channels={"kl": kaufland_channel(f"{server.url}/v2")})
        code, out, err = await ordertide("catalog", "import", "--from-channel", "kl", env=env)
    finally:
        server.stop()

    assert code == 1
    assert err.splitlines() == [
        "kl offer export:3: condition: 'USED___VERY_GOOD' is not one of NEW, AS_NEW, GOOD, REASONABLE, MODERATE",
        "error: 1 row(s) rejected; the others were applied",
    ]
    assert "2 of 3 rows applied: 2 new, 0 changed, 0 unchanged" in out and "2 offers linked" in out
    db = Database(store_url)
    try:
        products = {p.sku: p for p in InventoryStore(db).products()}
        assert set(products) == {"MUG-BLUE", "LAMP-DESK"}
        assert (products["MUG-BLUE"].ean, products["MUG-BLUE"].list_price) == ("8710103917885", Decimal("12.95"))
        assert products["LAMP-DESK"].condition == "AS_NEW"
        assert InventoryStore(db).stock("MUG-BLUE").on_hand == 7
        linked = OfferBook(db).offers("kl")
        assert linked["MUG-BLUE"].offer_id == str(units["MUG-BLUE"].id_unit)
        assert linked["MUG-BLUE"].state is OfferState.ACCEPTED and "BOARD-OAK" not in linked
    finally:
        db.dispose()
