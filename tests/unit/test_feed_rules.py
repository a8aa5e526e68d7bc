"""Feed rules decide what each channel shows."""

from decimal import Decimal

import pytest

from domain.catalog import Product
from domain.offers.feed import DeliveryTier, FeedRules, PriceRules, Selection

MUG = Product(
    sku="MUG",
    ean="8710103917885",
    brand="Tide",
    category="kitchen",
    cost_price=Decimal("4.10"),
    list_price=Decimal("12.00"),
    available=10,
)


def test_the_channel_shows_zero_once_stock_falls_to_the_buffer():
    rules = FeedRules(safety_buffer=2)
    assert rules.desired(MUG.model_copy(update={"available": 10})).stock == 8
    assert rules.desired(MUG.model_copy(update={"available": 2})).stock == 0
    assert rules.desired(MUG.model_copy(update={"available": 1})).stock == 0


def test_stock_is_capped_at_the_channel_maximum():
    assert FeedRules(stock_cap=999).desired(MUG.model_copy(update={"available": 5000})).stock == 999


@pytest.mark.parametrize(("rounding", "expected"), [("cents", "13.80"), (".95", "13.95"), (".99", "13.99")])
def test_markup_then_rounding_up_to_the_chosen_ending(rounding, expected):
    rules = FeedRules(price=PriceRules(markup_percent=Decimal("15"), rounding=rounding))
    assert rules.desired(MUG).price == Decimal(expected)


def test_currency_conversion_uses_the_configured_rate():
    rules = FeedRules(price=PriceRules(currency_rate=Decimal("4.30"), rounding=".99"))  # EUR → PLN
    assert rules.desired(MUG).price == Decimal("51.99")


def test_margin_floor_withholds_the_offer_and_a_better_price_restores_it():
    rules = FeedRules(margin_floor_percent=Decimal("70"))
    withheld = rules.desired(MUG)
    assert withheld.on_hold and withheld.withheld_reason is not None
    assert "under the floor of 70%" in withheld.withheld_reason
    restored = rules.desired(MUG.model_copy(update={"list_price": Decimal("20.00")}))
    assert not restored.on_hold and restored.withheld_reason is None


def test_delivery_code_follows_stock_level():
    rules = FeedRules(
        delivery_tiers=[
            DeliveryTier(min_stock=5, delivery_code="24uurs-21"),
            DeliveryTier(min_stock=1, delivery_code="1-2d"),
        ],
        out_of_stock_delivery_code="3-5d",
    )
    assert rules.desired(MUG.model_copy(update={"available": 9})).delivery_code == "24uurs-21"
    assert rules.desired(MUG.model_copy(update={"available": 2})).delivery_code == "1-2d"
    assert rules.desired(MUG.model_copy(update={"available": 0})).delivery_code == "3-5d"


def test_include_and_exclude_by_sku_brand_or_category():
    assert FeedRules(exclude=Selection(brands=["Tide"])).desired(MUG).on_hold
    assert FeedRules(include=Selection(categories=["garden"])).desired(MUG).on_hold
    assert not FeedRules(include=Selection(skus=["MUG"])).desired(MUG).on_hold
