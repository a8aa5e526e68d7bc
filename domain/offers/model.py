"""Offers: what a channel shows for a product (price, stock, delivery
promise). The offer-sync workflow computes the desired offer from stock and
feed rules, and pushes the difference from what the channel last accepted."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from domain.money import Money
from domain.offers.condition import OfferCondition


class FulfilmentMethod(StrEnum):
    FBR = "FBR"  # fulfilled by the retailer (us)
    FBB = "FBB"  # fulfilled by bol


class OfferState(StrEnum):
    PENDING = "PENDING"  # sent, the channel has not answered yet
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    WITHHELD = "WITHHELD"  # on hold by our own rules (margin floor, exclusion)


class DesiredOffer(BaseModel):
    """The offer as our rules want it on one channel."""

    sku: str
    ean: str
    condition: OfferCondition = OfferCondition.NEW
    price: Money
    stock: int
    delivery_code: str
    on_hold: bool = False
    withheld_reason: str | None = None
    reference: str | None = None
    title: str | None = None
    description: str | None = None
    fulfilment: FulfilmentMethod = FulfilmentMethod.FBR


class OfferValues(BaseModel):
    price: Money | None = None
    stock: int | None = None
    delivery_code: str | None = None
    on_hold: bool = False


class InFlight(BaseModel):
    """An update the channel took but is still processing (bol's 202)."""

    process_ids: list[str]
    # What the channel shows if the update fails.
    before: OfferValues
    # Calls of the same update the channel refused at once.
    reasons: list[str] = Field(default_factory=list)


class ChannelOffer(BaseModel):
    """The offer as the channel last accepted it (or why it did not); while
    an update is in flight, as sent (PENDING), with `in_flight` set."""

    channel: str
    sku: str
    offer_id: str | None = None
    price: Money | None = None
    stock: int | None = None
    delivery_code: str | None = None
    on_hold: bool = False
    state: OfferState = OfferState.PENDING
    rejection_reasons: list[str] = Field(default_factory=list)
    # Accepted, but the marketplace does not show it (bol notPublishableReasons).
    not_publishable_reasons: list[str] = Field(default_factory=list)
    in_flight: InFlight | None = None
    updated_at: datetime | None = None

    def values(self) -> OfferValues:
        return OfferValues(price=self.price, stock=self.stock, delivery_code=self.delivery_code, on_hold=self.on_hold)


class OfferChangeKind(StrEnum):
    CREATE = "CREATE"
    STOCK = "STOCK"
    PRICE = "PRICE"
    DETAILS = "DETAILS"  # on hold, delivery code


class OfferChange(BaseModel):
    """Only what differs from what the channel last accepted."""

    sku: str
    offer_id: str | None = None
    kinds: list[OfferChangeKind]
    desired: DesiredOffer


class OfferOutcome(BaseModel):
    sku: str
    accepted: bool
    offer_id: str | None = None
    reasons: list[str] = Field(default_factory=list)
    not_publishable_reasons: list[str] = Field(default_factory=list)
    # When the marketplace had the update (its answer), where that comes
    # before the outcome (bol: its 202, before the process is done).
    taken_at: datetime | None = None
    # The marketplace took the update but is still processing it: these
    # processes say how it ends (bol). The offer sync does not wait for them.
    pending_processes: list[str] = Field(default_factory=list)


class ProcessEnd(BaseModel):
    """How one of the marketplace's processes ended."""

    succeeded: bool
    reason: str | None = None  # why it failed
    # The marketplace no longer knows the process (bol purges statuses after
    # 48 h): whether it was applied is unknown.
    unknown: bool = False


class LiveOffer(BaseModel):
    """An offer as the marketplace shows it now (export or look-up)."""

    offer_id: str
    ean: str
    # Our condition name (OfferCondition) where the marketplace's maps to
    # one; else the marketplace's own (bol has more than we offer in).
    condition: str | None = None
    reference: str | None = None
    price: Money | None = None
    stock: int | None = None
    delivery_code: str | None = None
    on_hold: bool = False
    not_publishable_reasons: list[str] = Field(default_factory=list)


def offer_change(
    desired: DesiredOffer, current: ChannelOffer | None, last_desired: DesiredOffer | None
) -> OfferChange | None:
    """What to send so the channel shows `desired`; None when nothing.

    A rejected offer is not sent again until what we want changes: the
    channel would reject it again, and a loop of rejections is what gets a
    seller's API access throttled."""
    if current is not None and current.state is OfferState.REJECTED and last_desired == desired:
        return None
    if current is None or current.offer_id is None:
        if desired.on_hold:
            return None  # never published and withheld: nothing to tell the channel
        return OfferChange(sku=desired.sku, kinds=[OfferChangeKind.CREATE], desired=desired)
    kinds = []
    if desired.stock != current.stock:
        kinds.append(OfferChangeKind.STOCK)
    if desired.price != current.price and desired.price > 0:
        kinds.append(OfferChangeKind.PRICE)
    if desired.on_hold != current.on_hold or desired.delivery_code != current.delivery_code:
        kinds.append(OfferChangeKind.DETAILS)
    if not kinds:
        return None
    return OfferChange(sku=desired.sku, offer_id=current.offer_id, kinds=kinds, desired=desired)


def offer_as_sent(
    channel: str, outcome: OfferOutcome, sent: DesiredOffer, before: ChannelOffer | None, **recorded: Any
) -> ChannelOffer:
    """The book's record of an offer the channel took as `sent`: its id from
    the channel's answer, else the one we knew; `recorded` adds state and reasons."""
    return ChannelOffer(
        channel=channel,
        sku=sent.sku,
        offer_id=outcome.offer_id or (before.offer_id if before else None),
        price=sent.price,
        stock=sent.stock,
        delivery_code=sent.delivery_code,
        on_hold=sent.on_hold,
        **recorded,
    )
