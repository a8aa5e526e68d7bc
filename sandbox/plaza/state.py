"""What the Plaza sandbox remembers: the offers it accepted, keyed like bol
keys them (EAN + Condition), and every request it answered."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True)
class StoredOffer:
    """An accepted <RetailerOffer>, its values converted."""

    ean: str
    condition: str
    price: Decimal
    delivery_code: str
    quantity_in_stock: int
    publish: bool
    reference_code: str
    description: str
    title: str | None
    fulfillment_method: str

    @property
    def key(self) -> tuple[str, str]:
        """bol's identity of an offer: EAN + Condition."""
        return (self.ean, self.condition)

    def as_json(self) -> dict[str, Any]:
        """Keyed by the element names, as /_sandbox/offers shows it."""
        return {
            "EAN": self.ean,
            "Condition": self.condition,
            "Price": f"{self.price:f}",
            "DeliveryCode": self.delivery_code,
            "QuantityInStock": self.quantity_in_stock,
            "Publish": self.publish,
            "ReferenceCode": self.reference_code,
            "Description": self.description,
            "Title": self.title,
            "FulfillmentMethod": self.fulfillment_method,
        }


class RequestRecord(BaseModel):
    offers: int  # RetailerOffer elements read; 0 when the body was never read or refused
    status: int


class StockEntry(BaseModel):
    """One accepted QuantityInStock for an EAN, at the time it was applied."""

    at: datetime
    condition: str
    value: int


class PlazaState:
    def __init__(self, known_eans: frozenset[str] | None):
        # None: every valid EAN is a product, as if bol knew the whole world.
        self.known_eans = known_eans
        self.offers: dict[tuple[str, str], StoredOffer] = {}
        self.requests: list[RequestRecord] = []
        # Per EAN, every accepted stock level with when it was applied: what
        # the propagation benchmark measures a sale against.
        self.stock_history: dict[str, list[StockEntry]] = {}

    def accept(self, offer: StoredOffer, at: datetime) -> None:
        self.offers[offer.key] = offer
        entry = StockEntry(at=at, condition=offer.condition, value=offer.quantity_in_stock)
        self.stock_history.setdefault(offer.ean, []).append(entry)

    def reset(self) -> None:
        self.offers.clear()
        self.requests.clear()
        self.stock_history.clear()
