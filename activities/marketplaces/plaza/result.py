"""What one Plaza upsert achieved, offer by offer."""

from typing import Literal

from pydantic import BaseModel, Field

from domain.errors import Violation
from domain.offers.condition import OfferCondition


class AcceptedOffer(BaseModel):
    sku: str
    ean: str
    condition: OfferCondition


class RejectedOffer(BaseModel):
    sku: str
    ean: str
    condition: OfferCondition
    # "local": never sent; "server": bol refused it.
    source: Literal["local", "server"]
    violations: list[Violation]


class PlazaUpsertResult(BaseModel):
    accepted: list[AcceptedOffer] = Field(default_factory=list)
    rejected: list[RejectedOffer] = Field(default_factory=list)
    requests: int = 0
