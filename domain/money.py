"""Money is Decimal end to end; floats never touch a price."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import PlainSerializer

CENT = Decimal("0.01")


def to_money(value: Decimal | str | int) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a str or Decimal")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def to_cents(value: Decimal) -> int:
    return int(to_money(value) * 100)


# Serialised as a string so JSON payloads (Temporal history, CLI output) keep
# the exact value.
Money = Annotated[Decimal, PlainSerializer(lambda v: str(to_money(v)), return_type=str)]
