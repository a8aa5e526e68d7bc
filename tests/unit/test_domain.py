"""Pure domain rules: EANs, money, transporter choice, ids."""

from decimal import Decimal

import pytest

from domain.channels import Marketplace
from domain.ean import is_valid_ean, normalise_ean
from domain.ids import order_workflow_id, parse_order_workflow_id
from domain.money import to_cents, to_money
from domain.transporters import TransporterRules


def test_ean_check_digit_is_enforced():
    assert normalise_ean("8710103917885") == "8710103917885"
    assert not is_valid_ean("8710103917886")
    with pytest.raises(ValueError, match="invalid EAN"):
        normalise_ean("8710103917886")


def test_upc_a_becomes_ean13_so_one_product_has_one_key():
    assert normalise_ean("036000291452") == "0036000291452"


def test_money_refuses_floats_and_rounds_half_up():
    assert to_money("12.345") == Decimal("12.35")
    assert to_cents(Decimal("19.99")) == 1999
    with pytest.raises(TypeError):
        to_money(12.5)  # type: ignore[arg-type]  # a float on purpose: the test is that it is refused


def test_bundled_transporter_rules_pick_postnl_for_small_dutch_parcels():
    rules = TransporterRules.load()
    assert rules.choose(Marketplace.BOL, "NL", weight_grams=1500) == "TNT"
    assert rules.choose(Marketplace.BOL, "NL", weight_grams=5000) == "DHL"
    assert rules.choose(Marketplace.BOL, "NL", pickup_point=True, weight_grams=5000) == "TNT"
    assert rules.choose(Marketplace.BOL, "BE") == "BPOST_BE"


def test_a_sellers_rule_file_replaces_the_bundled_rules():
    rules = TransporterRules.parse('[[bol]]\ncountries = ["NL"]\ntransporter = "TRUNKRS"\n')
    assert rules.choose(Marketplace.BOL, "NL") == "TRUNKRS"
    with pytest.raises(LookupError, match="no transporter rule"):
        rules.choose(Marketplace.BOL, "DE")


def test_order_workflow_ids_round_trip():
    workflow_id = order_workflow_id("bol", "1043946570")
    assert workflow_id == "order:bol:1043946570"
    assert parse_order_workflow_id(workflow_id) == ("bol", "1043946570")


@pytest.mark.parametrize(
    ("channel", "order_id", "field"),
    [
        ("bol", "123#x", "marketplace_order_id"),
        ("bol", "1:2", "marketplace_order_id"),
        ("bol", "", "marketplace_order_id"),
        ("b l", "123", "channel"),
    ],
)
def test_an_id_that_could_alias_another_order_never_becomes_a_workflow_id(channel, order_id, field):
    with pytest.raises(ValueError, match=f"^{field}: "):
        order_workflow_id(channel, order_id)
