"""Which of the marketplace's delivery options the seller's label rules buy."""

from decimal import Decimal

import pytest

from domain.labels import DeliveryOption, LabelRules


def option(name: str, price: str, label_type: str = "PARCEL", **extra) -> DeliveryOption:
    return DeliveryOption(
        offer_id=name,
        transporter_code=extra.pop("transporter", "TNT"),
        label_type=label_type,
        name=name,
        price=Decimal(price),
        **extra,
    )


OPTIONS = [
    option("letterbox", "2.88", "MAILBOX", meets_promise=False),
    option("dhl", "4.29", transporter="DHL"),
    option("postnl", "4.29", recommended=True),
    option("express", "9.50"),
]


def test_the_cheapest_option_in_time_is_bought_and_a_tie_goes_to_the_recommended_one():
    assert LabelRules().choose(OPTIONS).name == "postnl"


def test_late_options_are_bought_only_when_the_seller_allows_it():
    assert LabelRules(meet_promise=False).choose(OPTIONS).name == "letterbox"


def test_types_transporters_and_a_price_cap_narrow_the_choice():
    assert LabelRules(transporters=["DHL"]).choose(OPTIONS).name == "dhl"
    assert LabelRules(label_types=["MAILBOX"], meet_promise=False).choose(OPTIONS).name == "letterbox"
    with pytest.raises(LookupError, match="offered: letterbox"):
        LabelRules(max_price=Decimal("4.00")).choose(OPTIONS)
