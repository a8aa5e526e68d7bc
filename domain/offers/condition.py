"""A product's condition, as marketplaces list it (a seller types it in the
catalog file and at `product set`)."""

from enum import StrEnum


class OfferCondition(StrEnum):
    NEW = "NEW"
    AS_NEW = "AS_NEW"
    GOOD = "GOOD"
    REASONABLE = "REASONABLE"
    MODERATE = "MODERATE"
