from decimal import Decimal
from typing import Any

import pytest

from activities.marketplaces.plaza.validation import validate_offer
from activities.marketplaces.plaza.xml import PlazaOffer, offer_from_desired
from domain.offers.condition import OfferCondition
from tests.plaza.factories import desired_offer, ean13


def _offer(**changes: Any) -> PlazaOffer:
    return offer_from_desired(desired_offer(1)).model_copy(update=changes)


def test_a_valid_offer_has_no_violations() -> None:
    assert validate_offer(_offer()) == []


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"ean": "8710000000001"}, "EAN", "valid EAN"),
        ({"condition": "USED"}, "Condition", "got 'USED'"),
        ({"price": Decimal("0")}, "Price", "more than 0"),
        ({"price": Decimal("9999.01")}, "Price", "at most 9999"),
        ({"price": Decimal("1" + "0" * 40 + ".001")}, "Price", "at most 9999"),
        ({"price": Decimal("12.345")}, "Price", "2 decimals"),
        ({"delivery_code": "MijnLeverbelofte"}, "DeliveryCode", "got 'MijnLeverbelofte'"),
        ({"quantity_in_stock": 1200}, "QuantityInStock", "must be 0..999, got 1200"),
        ({"quantity_in_stock": -1}, "QuantityInStock", "got -1"),
        ({"reference_code": "R" * 21}, "ReferenceCode", "at most 20 characters, got 21"),
        ({"description": "d" * 2001}, "Description", "at most 2000 characters"),
        ({"title": "t" * 501}, "Title", "at most 500 characters"),
        ({"fulfillment_method": "FBX"}, "FulfillmentMethod", "got 'FBX'"),
        ({"title": "bell \x07"}, "Title", "XML cannot carry"),
    ],
)
def test_each_rule_names_its_field(changes: dict[str, Any], field: str, reason: str) -> None:
    [violation] = validate_offer(_offer(**changes))

    assert violation.name == field
    assert reason in violation.reason


def test_limits_are_inclusive() -> None:
    offer = _offer(
        price=Decimal("9999"),
        quantity_in_stock=999,
        reference_code="R" * 20,
        description="d" * 2000,
        title="t" * 500,
        delivery_code="1-8d",
    )

    assert validate_offer(offer) == []


def test_stock_above_what_bol_can_show_is_capped_not_refused() -> None:
    assert offer_from_desired(desired_offer(1, stock=1200)).quantity_in_stock == 999


def test_a_long_reference_is_reported_never_cut() -> None:
    offer = offer_from_desired(desired_offer(1, reference="REF-" + "x" * 30))

    assert offer.reference_code == "REF-" + "x" * 30
    assert [v.name for v in validate_offer(offer)] == ["ReferenceCode"]


def test_the_sku_is_the_reference_when_there_is_none() -> None:
    assert offer_from_desired(desired_offer(7)).reference_code == "SKU-7"


def test_the_mapping_follows_the_desired_offer() -> None:
    upc = "036000291452"
    offer = offer_from_desired(
        desired_offer(1, ean=upc, on_hold=True, condition=OfferCondition.GOOD, description="krasje")
    )

    assert offer.ean == "0" + upc  # one product, one EAN-13 key
    assert offer.publish is False
    assert offer.description == "krasje"
    assert offer_from_desired(desired_offer(1, description="krasje")).description == ""  # NEW: bol ignores it
    assert ean13(1) == offer_from_desired(desired_offer(1)).ean
