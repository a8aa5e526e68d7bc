"""Offers for Plaza tests: valid unless a test says otherwise."""

from decimal import Decimal
from typing import Any

from stdnum import ean

from domain.offers.model import DesiredOffer


def ean13(n: int) -> str:
    body = f"871{n:09d}"
    return body + ean.calc_check_digit(body)


def desired_offer(n: int = 0, **overrides: Any) -> DesiredOffer:
    values: dict[str, Any] = {
        "sku": f"SKU-{n}",
        "ean": ean13(n),
        "price": Decimal("12.50"),
        "stock": 5,
        "delivery_code": "24uurs-16",
        "title": f"Product {n}",
    }
    return DesiredOffer(**{**values, **overrides})


def desired_offers(count: int) -> list[DesiredOffer]:
    return [desired_offer(n) for n in range(count)]
