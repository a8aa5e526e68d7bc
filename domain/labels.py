"""Shipping labels bought through the marketplace's own label service:
the delivery options it offers for a shipment, the seller's rules for
choosing one, and the label bought."""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, Field


class LabelSource(StrEnum):
    # The seller (or the warehouse) prints its own labels and gives tracking.
    OWN = "own"
    # The label is bought from the marketplace as part of the transporter step.
    MARKETPLACE = "marketplace"


class DeliveryOption(BaseModel):
    offer_id: str
    transporter_code: str
    label_type: str
    name: str
    price: Decimal
    recommended: bool = False
    # False: the label can be used, but the parcel arrives later than promised
    # (bol: a strike on the seller's performance score).
    meets_promise: bool = True
    latest_handover: datetime | None = None


class LabelRules(BaseModel):
    """Which of the marketplace's delivery options to buy: among those the
    rules allow, the cheapest; a tie goes to the one the marketplace
    recommends."""

    # Only options that still meet the delivery date promised to the buyer.
    meet_promise: bool = True
    # e.g. ["PARCEL"] for goods that do not fit a letterbox; None: any type.
    label_types: list[str] | None = None
    # Transporter codes the seller accepts; None: any.
    transporters: list[str] | None = None
    max_price: Decimal | None = None

    def choose(self, options: list[DeliveryOption]) -> DeliveryOption:
        allowed = [option for option in options if self._allows(option)]
        if not allowed:
            offered = ", ".join(f"{o.name} ({o.price})" for o in options) or "none"
            raise LookupError(f"no delivery option meets the label rules; offered: {offered}")
        return min(allowed, key=lambda option: (option.price, not option.recommended))

    def _allows(self, option: DeliveryOption) -> bool:
        if self.meet_promise and not option.meets_promise:
            return False
        if self.label_types is not None and option.label_type not in self.label_types:
            return False
        if self.transporters is not None and option.transporter_code not in self.transporters:
            return False
        return self.max_price is None or option.price <= self.max_price


class PackageMeasurements(BaseModel):
    """The package a label is bought for, where the marketplace asks
    (Kaufland's label service): grams and centimetres."""

    weight_gram: int = Field(default=1000, gt=0)
    height_cm: int = Field(default=10, gt=0)
    length_cm: int = Field(default=30, gt=0)
    width_cm: int = Field(default=20, gt=0)


class BoughtLabel(BaseModel):
    label_id: str
    transporter_code: str
    track_and_trace: str
    price: Decimal | None = None
    name: str = ""
    pdf: bytes = Field(default=b"", repr=False)
