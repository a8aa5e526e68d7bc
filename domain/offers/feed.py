"""Feed rules: how one channel's offer follows from stock and the catalog.

Per channel, as configuration: a safety buffer (the channel shows 0 once
available stock falls to it), a stock cap (bol: 999), price rules (markup,
currency conversion, rounding to .95/.99), a margin floor that withholds an
offer (put on hold, not deleted), delivery codes by stock level, and
include/exclude lists by SKU, brand or category."""

from decimal import ROUND_FLOOR, Decimal
from typing import Literal

from pydantic import BaseModel, Field

from domain.catalog import Product
from domain.money import to_money
from domain.offers.model import DesiredOffer


class PriceRules(BaseModel):
    markup_percent: Decimal = Decimal(0)
    currency_rate: Decimal = Decimal(1)  # channel currency per unit of the catalog's currency
    rounding: Literal["cents", ".95", ".99"] = "cents"
    minimum: Decimal = Decimal("1.00")  # bol refuses prices below 1
    maximum: Decimal = Decimal("9999.00")


class DeliveryTier(BaseModel):
    min_stock: int
    delivery_code: str


class Selection(BaseModel):
    skus: list[str] = Field(default_factory=list)
    brands: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)

    def matches(self, item: Product) -> bool:
        return item.sku in self.skus or item.brand in self.brands or item.category in self.categories

    @property
    def empty(self) -> bool:
        return not (self.skus or self.brands or self.categories)


class FeedRules(BaseModel):
    safety_buffer: int = 0
    stock_cap: int | None = 999
    price: PriceRules = Field(default_factory=PriceRules)
    margin_floor_percent: Decimal | None = None
    delivery_tiers: list[DeliveryTier] = Field(
        default_factory=lambda: [DeliveryTier(min_stock=1, delivery_code="24uurs-16")]
    )
    out_of_stock_delivery_code: str = "3-5d"
    include: Selection = Field(default_factory=Selection)
    exclude: Selection = Field(default_factory=Selection)

    def shown_stock(self, available: int) -> int:
        shown = max(0, available - self.safety_buffer)
        return min(shown, self.stock_cap) if self.stock_cap is not None else shown

    def channel_price(self, list_price: Decimal) -> Decimal:
        rules = self.price
        raw = list_price * (1 + rules.markup_percent / 100) * rules.currency_rate
        price = _round(raw, rules.rounding)
        return min(max(price, to_money(rules.minimum)), to_money(rules.maximum))

    def delivery_code(self, shown: int) -> str:
        for tier in sorted(self.delivery_tiers, key=lambda t: t.min_stock, reverse=True):
            if shown >= tier.min_stock:
                return tier.delivery_code
        return self.out_of_stock_delivery_code

    def withheld_reason(self, item: Product, price: Decimal | None) -> str | None:
        if not self.include.empty and not self.include.matches(item):
            return "not included by the channel's feed rules"
        if self.exclude.matches(item):
            return "excluded by the channel's feed rules"
        if price is None:
            return "no list price in the catalog"
        if self.margin_floor_percent is not None and item.cost_price is not None:
            price_in_catalog_currency = price / self.price.currency_rate
            margin = (price_in_catalog_currency - item.cost_price) / price_in_catalog_currency * 100
            if margin < self.margin_floor_percent:
                return f"margin {margin:.1f}% is under the floor of {self.margin_floor_percent}%"
        return None

    def desired(self, item: Product) -> DesiredOffer:
        price = self.channel_price(item.list_price) if item.list_price is not None else None
        shown = self.shown_stock(item.available)
        reason = self.withheld_reason(item, price)
        return DesiredOffer(
            sku=item.sku,
            ean=item.ean,
            condition=item.condition,
            price=price if price is not None else Decimal(0),
            stock=shown,
            delivery_code=self.delivery_code(shown),
            on_hold=reason is not None,
            withheld_reason=reason,
            reference=item.sku,
            title=item.title or None,
        )


def _round(value: Decimal, rounding: str) -> Decimal:
    if rounding == "cents":
        return to_money(value)
    ending = Decimal(rounding)  # ".95" or ".99"
    # The smallest price with that ending at or above the computed price: rounding
    # never eats into the margin.
    candidate = value.to_integral_value(rounding=ROUND_FLOOR) + ending
    return to_money(candidate if candidate >= value else candidate + 1)
