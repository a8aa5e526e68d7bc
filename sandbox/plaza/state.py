"""What the Plaza sandbox remembers: the offers it accepted, keyed like bol
keys them (EAN + Condition), and every request it answered."""

from dataclasses import dataclass
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


class PlazaState:
    def __init__(self, known_eans: frozenset[str] | None):
        # None: every valid EAN is a product, as if bol knew the whole world.
        self.known_eans = known_eans
        self.offers: dict[tuple[str, str], StoredOffer] = {}
        self.requests: list[RequestRecord] = []

    def reset(self) -> None:
        self.offers.clear()
        self.requests.clear()
