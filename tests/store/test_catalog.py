"""The catalog in bulk, on SQLite and PostgreSQL, and the additive migration
of a store created by an older version."""

import sqlite3
from decimal import Decimal

import pytest

from activities.store import Database, InventoryStore, OfferBook
from activities.store.catalog import CatalogStore
from domain.catalog import Product
from domain.catalog_file import read_catalog
from domain.offers.condition import OfferCondition
from domain.offers.in_flight import sent_offer
from domain.offers.model import ChannelOffer, DesiredOffer, OfferOutcome, OfferState


def test_good_rows_apply_and_bad_ones_are_reported_by_line(db: Database):
    catalog = CatalogStore(db)
    changes = catalog.apply(
        read_catalog(
            [
                "sku,ean,title,condition,cost_price,list_price,on_hand\n",
                'MUG,8710103917885,Mug,,"4,10",12.95,5\n',
                "LAMP,4006381333931,Lamp,good,18.5,49.99,\n",
                "TWIN,8710103917885,Same EAN,,,,\n",  # MUG has this EAN
                "ODD,4006381333932,Bad check digit,,,,\n",
                "NOEAN,,No EAN for a new product,,,,\n",
            ]
        )
    )
    assert changes.errors == [
        (4, "ean: 8710103917885 already belongs to SKU MUG"),
        (5, "ean: invalid EAN '4006381333932': The number's checksum or check digit is invalid."),
        (6, "ean: a new product needs one (SKU NOEAN is not in the catalog)"),
    ]
    assert (changes.created, changes.updated, changes.unchanged) == (2, 0, 0)
    assert sorted(changes.changed_skus) == ["LAMP", "MUG"]
    mug = catalog.row("MUG")
    assert mug is not None
    assert (mug["cost_price"], mug["list_price"], mug["on_hand"]) == (Decimal("4.10"), Decimal("12.95"), 5)
    assert InventoryStore(db).catalog_items(["LAMP"])[0].condition is OfferCondition.GOOD

    # A second file changes only its columns; an unchanged row is not news for offer sync.
    changes = catalog.apply(read_catalog(["sku,list_price\n", "MUG,13\n", "LAMP,49.99\n"]))
    assert (changes.updated, changes.unchanged, changes.changed_skus) == (1, 1, ["MUG"])
    mug = catalog.row("MUG")
    assert mug is not None and (mug["title"], mug["list_price"], mug["on_hand"]) == ("Mug", Decimal("13.00"), 5)


def test_a_product_can_hand_its_ean_to_another_in_the_same_file(db: Database):
    catalog = CatalogStore(db)
    catalog.apply(read_catalog(["sku,ean\n", "OLD,8710103917885\n"]))
    changes = catalog.apply(read_catalog(["sku,ean\n", "OLD,4006381333931\n", "NEW,8710103917885\n"]))
    assert changes.errors == [] and changes.eans_added == 2
    assert [row["ean"] for row in catalog.rows()] == ["8710103917885", "4006381333931"]


def test_many_batches_stay_in_one_transaction(db: Database):
    """A file that fails half-way (here: the reader breaks) leaves the catalog as it was."""

    def lines():
        yield "sku,ean\n"
        for n in range(2500):
            yield f"SKU{n},{_ean(n)}\n"
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")

    with pytest.raises(UnicodeDecodeError):
        CatalogStore(db).apply(read_catalog(lines()))
    assert list(CatalogStore(db).rows()) == []


def _ean(n: int) -> str:
    from stdnum import ean

    body = f"20{n:010d}"
    return body + ean.calc_check_digit(body)


def test_an_older_store_gains_the_new_columns_at_start(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:  # the product table as the previous version created it
        old.execute(
            "CREATE TABLE product (sku VARCHAR(64) PRIMARY KEY, ean VARCHAR(14) NOT NULL UNIQUE, title VARCHAR NOT NULL,"
            " brand VARCHAR, category VARCHAR, cost_price NUMERIC(12, 2), list_price NUMERIC(12, 2))"
        )
        old.execute("INSERT INTO product VALUES ('MUG', '8710103917885', 'Mug', NULL, NULL, 4.10, 12.95)")
    db = Database(f"sqlite:///{path}")
    try:
        assert db.create_schema() == ["product.condition"]
        assert db.create_schema() == []  # the second start finds nothing to do
        products = InventoryStore(db).products()
        assert [(p.sku, p.condition) for p in products] == [("MUG", OfferCondition.NEW)]
    finally:
        db.dispose()


def test_a_store_lacking_a_column_gets_it_back_on_either_database(db: Database):
    InventoryStore(db).upsert_product(Product(sku="MUG", ean="8710103917885", title="Mug"))
    with db.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE product DROP COLUMN condition")
    assert db.create_schema() == ["product.condition"]
    assert InventoryStore(db).catalog_items(["MUG"])[0].condition is OfferCondition.NEW


def test_a_huge_file_lists_a_bounded_number_of_changed_skus(db: Database, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("activities.store.catalog.CHANGED_LISTED", 2)
    changes = CatalogStore(db).apply(read_catalog(["sku,ean\n", *(f"SKU{n},{_ean(n)}\n" for n in range(5))]))
    assert (changes.changed_count, len(changes.changed_skus), changes.changed_skus_complete) == (5, 2, False)
    assert sorted(CatalogStore(db).skus()) == [f"SKU{n}" for n in range(5)]


def test_a_store_from_before_offer_updates_in_flight_gains_them_with_their_index(db: Database):
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_channel_offer_in_flight_at")
        conn.exec_driver_sql("ALTER TABLE channel_offer DROP COLUMN in_flight_at")
        conn.exec_driver_sql("ALTER TABLE channel_offer DROP COLUMN in_flight")
    assert db.create_schema() == [
        "channel_offer.in_flight",
        "channel_offer.in_flight_at",
        "channel_offer.ix_channel_offer_in_flight_at",
    ]
    book = OfferBook(db)
    before = ChannelOffer(channel="bol", sku="MUG", offer_id="o-1", stock=50, state=OfferState.ACCEPTED)
    book.record(before, None)
    want = DesiredOffer(sku="MUG", ean="8710103917885", price=Decimal("12.95"), stock=30, delivery_code="1-2d")
    outcome = OfferOutcome(sku="MUG", accepted=False, offer_id="o-1", pending_processes=["p1"])
    book.record(sent_offer("bol", outcome, want, before), want)
    [in_flight] = book.in_flight("bol", limit=10)
    assert in_flight.in_flight is not None and in_flight.in_flight.process_ids == ["p1"]
    assert book.count_in_flight("bol") == 1
