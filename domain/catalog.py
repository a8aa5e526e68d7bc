"""The seller's catalog."""

from decimal import Decimal

from pydantic import BaseModel

from domain.offers.condition import OfferCondition


class Product(BaseModel):
    """One product of the seller's catalog; `available` is its stock not
    reserved by orders, where it was read together with stock."""

    sku: str
    ean: str
    title: str = ""
    brand: str | None = None
    category: str | None = None
    condition: OfferCondition = OfferCondition.NEW
    cost_price: Decimal | None = None
    list_price: Decimal | None = None
    available: int = 0
