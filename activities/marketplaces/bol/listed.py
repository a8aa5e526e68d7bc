"""Reading bol's list pages one item at a time. A page is validated item by
item, not as a whole, because one order or return bol lists in a shape we
cannot read must not hide the other 49 on its page (nor stop the poll)."""

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import ValidationError

from domain.intake import UnreadableItem

T = TypeVar("T")
Skip = Callable[[UnreadableItem], None]


def page_items(page: Any, key: str) -> list[Any]:
    """The raw items of a list page; an empty page is `{}`. A page that is
    not a list page at all is not one item's fault: it raises."""
    if not isinstance(page, dict) or not isinstance(page.get(key, []), list):
        raise ValueError(f"bol sent a {key} page that is not a list of {key}: {str(page)[:200]}")
    items: list[Any] = page.get(key, [])
    return items


def read_each(items: list[Any], read: Callable[[Any], list[T]], kind: str, id_field: str, skip: Skip | None) -> list[T]:
    """`read` applied to every item; an item it cannot read goes to `skip`
    (or, without one, raises as before)."""
    found: list[T] = []
    for position, item in enumerate(items):
        try:
            found.extend(read(item))
        except (ValidationError, ValueError) as exc:
            if skip is None:
                raise
            item_id = item.get(id_field) if isinstance(item, dict) else None
            skip(
                UnreadableItem.model_validate(
                    {"kind": kind, "item_id": str(item_id or f"#{position + 1} on its page"), "reason": _reason(exc)}
                )
            )
    return found


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "item"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        return f"{where}: {first['msg']}{more}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
