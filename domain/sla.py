"""Per-marketplace service levels, as the marketplaces publish them for
sellers: return windows and response times (bol: 30-day return window, 48 h
to handle a return; Kaufland: 14 days to respond, 24 hours to answer a
buyer's message), bol's 2 % seller-fault
cancellation threshold, Kaufland's fees above 1 %."""

from datetime import timedelta
from decimal import Decimal

from pydantic import BaseModel

from domain.channels import Marketplace
from domain.reasons import ReturnHandling


class MarketplaceSla(BaseModel):
    return_window: timedelta
    # From the moment a return arrives until it must be handled on the marketplace.
    return_handling: timedelta
    seller_cancellation_threshold: Decimal
    # How long a buyer's message may wait for the seller's answer (None: the
    # marketplace has no buyer messages in its API).
    ticket_response: timedelta | None = None
    # The rolling window the marketplace counts seller-fault cancellations over.
    cancellation_window: timedelta = timedelta(days=30)
    # Whether the return handling time counts business days (weekends excluded).
    return_handling_business_days: bool = False
    # From the parcel's delivery until the marketplace has registered it: its
    # return window starts then, so ours waits for it too.
    delivery_registration_lag: timedelta = timedelta(days=1)
    # The marketplace passes the carrier's delivery events on (bol: a
    # shipment's transportEvents), so a late delivery can be seen; elsewhere
    # asking would cost an order an activity to learn nothing.
    delivery_events: bool = False


SLA: dict[Marketplace, MarketplaceSla] = {
    Marketplace.BOL: MarketplaceSla(
        return_window=timedelta(days=30),
        return_handling=timedelta(hours=48),
        seller_cancellation_threshold=Decimal("0.02"),
        delivery_events=True,
    ),
    Marketplace.KAUFLAND: MarketplaceSla(
        return_window=timedelta(days=30),
        return_handling=timedelta(days=14),
        seller_cancellation_threshold=Decimal("0.01"),
        # Kaufland expects an answer to a buyer's message within 24 hours.
        ticket_response=timedelta(hours=24),
    ),
    Marketplace.SUPPLIER: MarketplaceSla(
        return_window=timedelta(days=30),
        return_handling=timedelta(days=14),
        seller_cancellation_threshold=Decimal("0.02"),
    ),
}


# How a received return can be handled on each marketplace (bol's
# handlingResult values; Kaufland's accept, reject, repair and clarify, and
# its order unit refund for a piece the buyer keeps).
RETURN_HANDLINGS: dict[Marketplace, frozenset[ReturnHandling]] = {
    Marketplace.BOL: frozenset(
        {
            ReturnHandling.RETURN_RECEIVED,
            ReturnHandling.RETURN_DOES_NOT_MEET_CONDITIONS,
            ReturnHandling.EXCHANGE_PRODUCT,
            ReturnHandling.REPAIR_PRODUCT,
            ReturnHandling.CUSTOMER_KEEPS_PRODUCT_PAID,
        }
    ),
    Marketplace.KAUFLAND: frozenset(
        {
            ReturnHandling.RETURN_RECEIVED,
            ReturnHandling.RETURN_DOES_NOT_MEET_CONDITIONS,
            ReturnHandling.REPAIR_PRODUCT,
            ReturnHandling.CLARIFY,
            # The buyer keeps the piece: its price is refunded (order unit refund).
            ReturnHandling.CUSTOMER_KEEPS_PRODUCT_PAID,
        }
    ),
    Marketplace.SUPPLIER: frozenset({ReturnHandling.RETURN_RECEIVED, ReturnHandling.RETURN_DOES_NOT_MEET_CONDITIONS}),
}
