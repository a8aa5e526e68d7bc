"""Marketplaces and channels. A channel is one seller account on one
marketplace (a seller may have two bol accounts); its name is the id used in
workflow ids and search attributes."""

from enum import StrEnum


class Marketplace(StrEnum):
    BOL = "bol"
    KAUFLAND = "kaufland"
    SUPPLIER = "supplier"
