"""The seller's offers: created, changed and deleted by processes — or, as
drift, in the seller portal — with every change kept at the moment it took
effect. What bol adds when an offer is read (correctedStock, whether it is
for sale, why it is not published) is worked out then, from the orders and
the catalogue, so it is never stale."""

import copy
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from stdnum import ean as gtin
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as InvalidNumber

from sandbox.bol.bodies import OfferDrift
from sandbox.bol.orders import OrderBook
from sandbox.bol.params import (
    Condition,
    CreateOfferRequest,
    Fulfilment,
    Pricing,
    UpdateOfferRequest,
    UpdateOfferStockRequest,
)
from sandbox.bol.problems import INVALID, bad_request, not_found
from sandbox.bol.wire import OrderOffer, RetailerOffer, Violation, wire_time

# bol's reason code 1000: the EAN is not known to bol, or not allowed.
UNKNOWN_EAN = {"code": "1000", "description": "The EAN is not known to bol.com or may not be sold on bol.com."}
COUNTRIES = ("NL", "BE")


@dataclass
class Offer:
    offer_id: str
    ean: str
    condition: Condition
    reference: str | None
    on_hold: bool
    unknown_product_title: str | None
    economic_operator_id: str | None
    pricing: Pricing
    stock_amount: int
    managed_by_retailer: bool
    fulfilment: Fulfilment
    # When the stock was last set: with managedByRetailer only orders placed
    # after it count against the stock.
    stock_set_at: datetime
    history: list[dict[str, Any]] = field(default_factory=list)
    deleted: bool = False

    @property
    def price(self) -> str:
        return f"{self.pricing.unit_price:.2f}"

    @property
    def changed_at(self) -> str:
        return self.history[-1]["at"]

    def note(self, at: datetime, what: str, value: Any, drift: bool = False) -> None:
        change = {"at": wire_time(at), "field": what, "value": value}
        if drift:
            change["drift"] = True
        self.history.append(change)


def new_offer_id() -> str:
    # bol's offer ids are UUIDs; random ones are never handed out twice.
    return str(uuid.uuid4())


class OfferBook:
    def __init__(self) -> None:
        # Deleted offers stay, marked, so their history can still be read.
        self._offers: dict[str, Offer] = {}

    def create(self, offer_id: str, request: CreateOfferRequest, at: datetime) -> str | None:
        """Adds the offer, or says why bol refuses it (then nothing changes)."""
        refused = _ean_problem(request.ean)
        if refused:
            return refused
        for other in self.live():
            if other.ean == request.ean and other.condition.name == request.condition.name:
                return (
                    f"An offer for EAN {request.ean} in condition {request.condition.name} already exists "
                    f"(offer {other.offer_id})."
                )
        offer = Offer(
            offer_id=offer_id,
            ean=request.ean,
            condition=request.condition,
            reference=request.reference,
            on_hold=request.onHoldByRetailer,
            unknown_product_title=request.unknownProductTitle,
            economic_operator_id=request.economicOperatorId,
            pricing=request.pricing,
            stock_amount=request.stock.amount,
            managed_by_retailer=request.stock.managedByRetailer,
            fulfilment=request.fulfilment,
            stock_set_at=at,
        )
        # Each field's first value too, so one field's history is complete on its own.
        offer.note(at, "created", {"ean": offer.ean, "condition": offer.condition.name})
        offer.note(at, "stock", offer.stock_amount)
        offer.note(at, "price", offer.price)
        offer.note(at, "onHold", offer.on_hold)
        offer.note(at, "deliveryCode", offer.fulfilment.deliveryCode)
        self._offers[offer_id] = offer
        return None

    def update(self, offer_id: str, request: UpdateOfferRequest, at: datetime) -> str | None:
        offer = self.get(offer_id)
        if offer is None:
            return _missing(offer_id)
        # Only the tracked fields that changed are noted.
        if request.onHoldByRetailer != offer.on_hold:
            offer.note(at, "onHold", request.onHoldByRetailer)
        if request.fulfilment.deliveryCode != offer.fulfilment.deliveryCode:
            offer.note(at, "deliveryCode", request.fulfilment.deliveryCode)
        # onHoldByRetailer has a default (false) and fulfilment is required;
        # the optional texts change only when sent (null clears them).
        offer.on_hold = request.onHoldByRetailer
        offer.fulfilment = request.fulfilment
        sent = request.model_fields_set
        if "reference" in sent:
            offer.reference = request.reference
        if "unknownProductTitle" in sent:
            offer.unknown_product_title = request.unknownProductTitle
        if "economicOperatorId" in sent:
            offer.economic_operator_id = request.economicOperatorId
        return None

    def reprice(self, offer_id: str, pricing: Pricing, at: datetime) -> str | None:
        offer = self.get(offer_id)
        if offer is None:
            return _missing(offer_id)
        offer.pricing = pricing
        # Noted even when the price stays: the update was accepted all the same.
        offer.note(at, "price", offer.price)
        return None

    def restock(self, offer_id: str, stock: UpdateOfferStockRequest, at: datetime) -> str | None:
        offer = self.get(offer_id)
        if offer is None:
            return _missing(offer_id)
        offer.stock_amount = stock.amount
        offer.managed_by_retailer = stock.managedByRetailer
        offer.stock_set_at = at
        # Noted even when the amount stays: it restarts what correctedStock counts.
        offer.note(at, "stock", offer.stock_amount)
        return None

    def delete(self, offer_id: str, at: datetime) -> str | None:
        offer = self.get(offer_id)
        if offer is None:
            return _missing(offer_id)
        offer.deleted = True
        offer.note(at, "deleted", None)
        return None

    def drift(self, offer_id: str, drift: OfferDrift, now: datetime) -> Offer:
        """Applies changes made outside the API at once; raises a Problem when
        there is no such offer or the new price breaks the bundle rules."""
        offer = self.get(offer_id)
        if offer is None:
            raise not_found(f"Offer {offer_id}")
        pricing = _repriced(offer.pricing, drift.price) if drift.price is not None else None
        if drift.stock is not None:
            offer.stock_amount = drift.stock
            offer.stock_set_at = now
            offer.note(now, "stock", drift.stock, drift=True)
        if pricing is not None:
            offer.pricing = pricing
            offer.note(now, "price", offer.price, drift=True)
        if drift.on_hold_by_retailer is not None:
            offer.on_hold = drift.on_hold_by_retailer
            offer.note(now, "onHold", offer.on_hold, drift=True)
        if drift.delivery_code is not None:
            offer.fulfilment = offer.fulfilment.model_copy(update={"deliveryCode": drift.delivery_code})
            offer.note(now, "deliveryCode", drift.delivery_code, drift=True)
        return offer

    def get(self, offer_id: str) -> Offer | None:
        """A live offer: deleted ones are gone as far as the Retailer API goes."""
        offer = self._offers.get(offer_id)
        return None if offer is None or offer.deleted else offer

    def find(self, offer_id: str) -> Offer | None:
        """Deleted offers too."""
        return self._offers.get(offer_id)

    def live(self) -> list[Offer]:
        return [offer for offer in self._offers.values() if not offer.deleted]

    def all(self) -> list[Offer]:
        return list(self._offers.values())

    def bought(self, ean: str, reference: str | None) -> OrderOffer | None:
        """The offer a buyer of `ean` gets (see orders.OfferLookup)."""
        found = [o for o in self.live() if o.ean == ean and reference in (None, o.reference)]
        return OrderOffer(offerId=found[0].offer_id, reference=found[0].reference) if found else None

    @staticmethod
    def shown(offer: Offer, orders: OrderBook, unpublishable: frozenset[str]) -> RetailerOffer:
        """The offer as GET /retailer/offers/{offer-id} shows it now."""
        known = offer.ean not in unpublishable
        placed_after = offer.stock_set_at if offer.managed_by_retailer else None
        sold = orders.open_quantity(offer.ean, offer.fulfilment.method, placed_after)
        corrected = max(0, offer.stock_amount - sold)
        for_sale = known and not offer.on_hold and corrected > 0
        return RetailerOffer.model_validate(
            {
                "offerId": offer.offer_id,
                "ean": offer.ean,
                "reference": offer.reference,
                "onHoldByRetailer": offer.on_hold,
                "economicOperatorId": offer.economic_operator_id,
                # "In case the product is known to bol.com, the unknown product title will not be stored."
                "unknownProductTitle": None if known else offer.unknown_product_title,
                "pricing": offer.pricing.model_dump(),
                "stock": {
                    "amount": offer.stock_amount,
                    "correctedStock": corrected,
                    "managedByRetailer": offer.managed_by_retailer,
                },
                "fulfilment": offer.fulfilment.model_dump(),
                # The sandbox has no catalogue: a known product's title is made up, as for orders.
                "store": {
                    "productTitle": f"Product {offer.ean}" if known else None,
                    "visible": [{"countryCode": country} for country in COUNTRIES] if for_sale else [],
                },
                "condition": {
                    "name": offer.condition.name,
                    "category": offer.condition.derived_category,
                    "comment": offer.condition.comment,
                },
                "notPublishableReasons": [] if known else [UNKNOWN_EAN],
            }
        )

    @classmethod
    def record(cls, offer: Offer, orders: OrderBook, unpublishable: frozenset[str]) -> dict[str, Any]:
        """The offer for the control API: as bol shows it, plus whether it is
        deleted and its history."""
        return {
            **cls.shown(offer, orders, unpublishable).to_json(),
            "deleted": offer.deleted,
            "history": copy.deepcopy(offer.history),
        }


def _ean_problem(ean: str) -> str | None:
    try:
        gtin.validate(ean)
    except InvalidChecksum:
        return f"EAN {ean} is not valid: its check digit is wrong."
    except InvalidNumber:
        return f"EAN {ean} is not valid: an EAN has 8, 12, 13 or 14 digits."
    return None


def _missing(offer_id: str) -> str:
    return f"The offer {offer_id} does not exist."


def _repriced(pricing: Pricing, unit_price: Decimal) -> Pricing:
    prices = [
        {"quantity": p.quantity, "unitPrice": unit_price if p.quantity == 1 else p.unitPrice}
        for p in pricing.bundlePrices
    ]
    try:
        return Pricing.model_validate({"bundlePrices": prices})
    except ValidationError as exc:
        reason = exc.errors(include_url=False)[0]["msg"].rstrip(".")
        raise bad_request([Violation(name="price", reason=f"{INVALID}: '{unit_price}'. {reason}.")]) from exc
