"""Kaufland's storefronts (one country each) and the currency its prices,
in integer cents, are in."""

from enum import StrEnum


class Storefront(StrEnum):
    DE = "de"
    CZ = "cz"
    SK = "sk"
    PL = "pl"
    AT = "at"
    FR = "fr"
    IT = "it"

    @property
    def currency(self) -> str:
        return CURRENCIES[self]


CURRENCIES: dict[Storefront, str] = {
    Storefront.DE: "EUR",
    Storefront.CZ: "CZK",
    Storefront.SK: "EUR",
    Storefront.PL: "PLN",
    Storefront.AT: "EUR",
    Storefront.FR: "EUR",
    Storefront.IT: "EUR",
}
