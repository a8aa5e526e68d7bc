"""Kaufland's inventory-command import file: header-less, semicolon
separated, one command per line (`UPSERT` or `DELETE`). Kaufland reads the
fields by position; the layout below follows its documented example line
`UPSERT;5060004769643;100;4999;EUR;;4390218756;1235;67;;;;3425;2`
(EAN, condition code, price in cents, currency, minimum price, id_offer,
warehouse, amount, three unused here, shipping group, handling time)."""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

# Field positions of an UPSERT line.
UPSERT_FIELDS = (
    "command",
    "ean",
    "condition",
    "listing_price",
    "currency",
    "minimum_price",
    "id_offer",
    "id_warehouse",
    "amount",
    "note",
    "eco_participation",
    "battery_participation",
    "id_shipping_group",
    "handling_time",
)
# Kaufland's CSV condition codes (100 = new).
CONDITION_CODES = {"NEW": "100", "AS_NEW": "200", "GOOD": "400", "REASONABLE": "500", "MODERATE": "500"}


@dataclass(frozen=True)
class Upsert:
    ean: str
    id_offer: str
    listing_price: int  # cents
    currency: str
    amount: int
    handling_time: int
    condition: str = "NEW"


@dataclass(frozen=True)
class Delete:
    ean: str
    id_offer: str


def write_commands(commands: Sequence[Upsert | Delete]) -> bytes:
    """The file's bytes; line N (from 1) is commands[N - 1], so Kaufland's
    per-line errors name our commands."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    for command in commands:
        if isinstance(command, Delete):
            writer.writerow(["DELETE", command.ean, command.id_offer])
            continue
        fields = dict.fromkeys(UPSERT_FIELDS, "")
        fields.update(
            command="UPSERT",
            ean=command.ean,
            condition=CONDITION_CODES.get(command.condition, "100"),
            listing_price=str(command.listing_price),
            currency=command.currency,
            id_offer=command.id_offer,
            amount=str(command.amount),
            handling_time=str(command.handling_time),
        )
        writer.writerow([fields[name] for name in UPSERT_FIELDS])
    return out.getvalue().encode("utf-8")
