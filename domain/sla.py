"""Per-marketplace service levels, as the marketplaces publish them for
sellers: return windows and response times (bol: 30-day return window, 48 h
to handle a return; Kaufland: 14 days to respond), bol's 2 % seller-fault
cancellation threshold, Kaufland's fees above 1 %."""

from datetime import timedelta
from decimal import Decimal

from pydantic import BaseModel

from domain.channels import Marketplace


class MarketplaceSla(BaseModel):
    return_window: timedelta
    # From the moment a return arrives until it must be handled on the marketplace.
    return_handling: timedelta
    seller_cancellation_threshold: Decimal
    # The rolling window the marketplace counts seller-fault cancellations over.
    cancellation_window: timedelta = timedelta(days=30)
    # Whether the return handling time counts business days (weekends excluded).
    return_handling_business_days: bool = False


SLA: dict[Marketplace, MarketplaceSla] = {
    Marketplace.BOL: MarketplaceSla(
        return_window=timedelta(days=30),
        return_handling=timedelta(hours=48),
        seller_cancellation_threshold=Decimal("0.02"),
    ),
    Marketplace.KAUFLAND: MarketplaceSla(
        return_window=timedelta(days=30),
        return_handling=timedelta(days=14),
        seller_cancellation_threshold=Decimal("0.01"),
    ),
    Marketplace.SUPPLIER: MarketplaceSla(
        return_window=timedelta(days=30),
        return_handling=timedelta(days=14),
        seller_cancellation_threshold=Decimal("0.02"),
    ),
}
