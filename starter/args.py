"""Checks on what people type. Each runs while the command line is parsed,
so a bad argument is a one-line usage error naming it (see cli.main), before
anything connects to Temporal or a marketplace."""

from collections.abc import Callable
from typing import TypeVar

import typer

from domain import search_terms

T = TypeVar("T")


def checked(check: Callable[[T], object]) -> Callable[[T], T]:
    """A typer callback from a check that raises ValueError with the reason."""

    def callback(value: T) -> T:
        if value is None:
            return value
        try:
            check(value)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
        return value

    return callback


def positive(value: float) -> None:
    if value <= 0:
        raise ValueError(f"{value:g} is not more than 0")


def not_negative(value: float) -> None:
    if value < 0:
        raise ValueError(f"{value:g} is less than 0")


def port(value: int) -> None:
    if not 1 <= value <= 65535:
        raise ValueError(f"{value} is not a port (1-65535)")


def text(value: str) -> None:
    if not value.strip():
        raise ValueError("must not be empty")
    if any(not char.isprintable() for char in value):
        raise ValueError(f"{value!r} holds control characters")


def code(value: str) -> None:
    """A marketplace code or id: one word, no spaces."""
    text(value)
    if any(char.isspace() for char in value):
        raise ValueError(f"{value!r} must be one word, without spaces")


def codes(values: list[str]) -> None:
    for value in values:
        code(value)


def line_specs(values: list[str]) -> None:
    """LINE or LINE:QUANTITY, the quantity at least 1."""
    for spec in values:
        line_id, colon, quantity = spec.partition(":")
        if not line_id.strip() or (colon and not (quantity.isdigit() and int(quantity) >= 1)):
            raise ValueError(f"{spec!r}: expected LINE or LINE:QUANTITY with a quantity of at least 1")
        code(line_id)


def order_id(value: str) -> None:
    search_terms.resolve_order_id(value)


def order_status(value: str) -> None:
    search_terms.order_status(value)


def channel(value: str) -> None:
    search_terms.channel_name(value)


def picked_lines(values: list[str]) -> None:
    line_specs(values)
    for spec in values:
        if ":" not in spec:
            raise ValueError(f"{spec!r}: a pick needs the quantity, LINE:QUANTITY")
