"""bol pages lists by number, without totals: a page past the end is empty."""

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def page_of(items: Sequence[T], page: int, size: int) -> list[T]:
    return list(items[(page - 1) * size : page * size])
