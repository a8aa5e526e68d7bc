"""Kaufland ids we put in URL paths and workflow ids, checked first: an id
in another shape is refused before any request is built."""

import re

ORDER_ID = re.compile(r"[A-Za-z0-9]{1,32}")
UNIT_ID = re.compile(r"[1-9][0-9]{0,18}")


class InvalidKauflandId(ValueError):
    pass


def order_id(value: str) -> str:
    if not ORDER_ID.fullmatch(value):
        raise InvalidKauflandId(f"id_order {value[:40]!r} is not in Kaufland's order id format")
    return value


def unit_id(value: str | int) -> str:
    text = str(value)
    if not UNIT_ID.fullmatch(text):
        raise InvalidKauflandId(f"id_order_unit {text[:40]!r} is not in Kaufland's order unit id format")
    return text
