"""Orders and their order units: one unit per piece, as Kaufland sells.

Unit statuses follow Kaufland's OrderUnitStatus. A placed order's units are
`need_to_be_sent` (paid, ready to ship) unless placed `open`. The seller
sends (→ `sent`) or cancels (→ `cancelled`) each unit; customer service may
cancel a unit too (the buyer asked), which races the seller's shipment."""

import itertools
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sandbox.kaufland.problems import forbidden, invalid, not_found

CANCEL_REASONS = frozenset(
    {
        "BuyerCancelled",
        "ShippingAddressUndeliverable",
        "WrongCatalogData",
        "GeneralAdjustment",
        "MerchandiseNotReceived",
        "NoInventory",
        "DelayedInventory",
        "WrongPrice",
        "NoReactionBuyer",
        "UndeliverableRegion",
    }
)
OPEN_STATUSES = ("open", "need_to_be_sent")
# OrderUnitRefundReason.
REFUND_REASONS = frozenset(
    {
        "delivery_damage",
        "delivery_delay",
        "incomplete_delivery",
        "incorrect_delivery",
        "refund_postage_fee",
        "defect",
        "other_refund",
        "refund_return_postage_fee",
    }
)
CURRENCIES = {"de": "EUR", "at": "EUR", "sk": "EUR", "fr": "EUR", "it": "EUR", "cz": "CZK", "pl": "PLN"}


def wire_time(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


class NewItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ean: str
    quantity: int = Field(default=1, ge=1, le=100)
    # Integer cents in the storefront's currency.
    price: int = Field(default=1999, ge=1)
    title: str = "Sandbox product"
    id_offer: str | None = None


class NewOrder(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[NewItem] = Field(min_length=1)
    id_order: str | None = Field(default=None, pattern=r"^[A-Z0-9]{5,12}$")
    storefront: str = "de"
    status: str = Field(default="need_to_be_sent", pattern="^(open|need_to_be_sent)$")
    delivery_time_max: int = Field(default=3, ge=0, le=100)
    country: str = "DE"


@dataclass
class Unit:
    id_order_unit: int
    id_order: str
    ean: str
    title: str
    price: int
    id_offer: str | None
    storefront: str
    status: str
    created: datetime
    updated: datetime
    delivery_time_max: int
    cancel_reason: str | None = None
    carrier_code: str | None = None
    tracking_numbers: str | None = None
    id_product: int = 1


@dataclass
class Order:
    id_order: str
    storefront: str
    created: datetime
    unit_ids: list[int]
    buyer: dict[str, Any]
    address: dict[str, Any]


@dataclass
class OrderBook:
    orders: dict[str, Order] = field(default_factory=dict)
    units: dict[int, Unit] = field(default_factory=dict)
    # Kaufland's unit ids are long integers; start high like theirs.
    _unit_ids: itertools.count = field(default_factory=lambda: itertools.count(314567896580000))
    _order_ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    sends: list[dict[str, Any]] = field(default_factory=list)
    cancels: list[dict[str, Any]] = field(default_factory=list)
    refunds: list[dict[str, Any]] = field(default_factory=list)
    # Parcels added to units already sent (POST /shipments).
    shipments: list[dict[str, Any]] = field(default_factory=list)

    def place(self, new: NewOrder, seed: int, now: datetime) -> Order:
        id_order = new.id_order or f"SB{next(self._order_ids):05d}{random.Random(seed).randint(10, 99)}"
        if id_order in self.orders:
            raise invalid("id_order", f"order {id_order} exists")
        rng = random.Random(f"{seed}:{id_order}")
        buyer = {"id_buyer": rng.randint(10_000_000, 99_999_999), "email": f"buyer-{id_order.lower()}@sandbox.invalid"}
        address = {
            "first_name": rng.choice(["Anna", "Jonas", "Lena", "Paul"]),
            "last_name": rng.choice(["Müller", "Schmidt", "Weber", "Fischer"]),
            "company_name": None,
            "street": "Sandboxstraße",
            "house_number": str(rng.randint(1, 120)),
            "postcode": f"{rng.randint(10000, 99999)}",
            "additional_field": None,
            "city": "Neckarsulm",
            "phone": None,
            "country": new.country,
        }
        order = Order(id_order, new.storefront, now, [], buyer, address)
        for item in new.items:
            for _ in range(item.quantity):
                unit = Unit(
                    id_order_unit=next(self._unit_ids),
                    id_order=id_order,
                    ean=item.ean,
                    title=item.title,
                    price=item.price,
                    id_offer=item.id_offer,
                    storefront=new.storefront,
                    status=new.status,
                    created=now,
                    updated=now,
                    delivery_time_max=new.delivery_time_max,
                    id_product=int(item.ean[-9:]) if item.ean[-9:].isdigit() and int(item.ean[-9:]) > 0 else 1,
                )
                self.units[unit.id_order_unit] = unit
                order.unit_ids.append(unit.id_order_unit)
        self.orders[id_order] = order
        return order

    def order(self, id_order: str) -> Order:
        order = self.orders.get(id_order)
        if order is None:
            raise not_found(f"Order {id_order}")
        return order

    def unit(self, id_order_unit: int) -> Unit:
        unit = self.units.get(id_order_unit)
        if unit is None:
            raise not_found(f"Order unit {id_order_unit}")
        return unit

    # The seller's commands.

    def send(
        self, id_order_unit: int, carrier_code: str, tracking_numbers: str, carriers: set[str], now: datetime
    ) -> None:
        unit = self.unit(id_order_unit)
        if carrier_code not in carriers:
            raise invalid("carrier_code", f"unknown carrier code {carrier_code!r}")
        if not tracking_numbers.strip() and carrier_code not in ("Other", "Other Hauler"):
            raise invalid("tracking_numbers", "a tracking number is required for this carrier")
        if unit.status in ("sent", "sent_and_autopaid", "received"):
            raise forbidden("/problems/duplicate-action", f"Order unit {id_order_unit} was already marked as sent")
        if unit.status not in OPEN_STATUSES:
            raise forbidden("/problems/action-not-allowed", f"Order unit {id_order_unit} is {unit.status}")
        unit.status, unit.carrier_code, unit.tracking_numbers, unit.updated = (
            "sent",
            carrier_code,
            tracking_numbers,
            now,
        )
        self.sends.append(
            {"id_order_unit": id_order_unit, "carrier_code": carrier_code, "tracking_numbers": tracking_numbers}
        )

    def add_shipment(self, id_order_unit: int, carrier_code: str, tracking_number: str, carriers: set[str]) -> None:
        unit = self.unit(id_order_unit)
        if carrier_code not in carriers:
            raise invalid("shipment_information.carrier_code", f"unknown carrier code {carrier_code!r}")
        if not tracking_number.strip():
            raise invalid("shipment_information.tracking_number", "is required")
        if unit.status not in ("sent", "sent_and_autopaid", "received"):
            raise forbidden("/problems/action-not-allowed", f"Order unit {id_order_unit} is not marked as sent")
        parcel = {"id_order_unit": id_order_unit, "carrier_code": carrier_code, "tracking_number": tracking_number}
        if parcel not in self.shipments:
            self.shipments.append(parcel)

    def cancel(self, id_order_unit: int, reason: str, now: datetime, by: str = "seller") -> None:
        unit = self.unit(id_order_unit)
        if reason not in CANCEL_REASONS:
            raise invalid("reason", f"unknown cancel reason {reason!r}")
        if unit.status == "cancelled":
            raise forbidden("/problems/duplicate-action", f"Order unit {id_order_unit} is already cancelled")
        if unit.status not in OPEN_STATUSES:
            raise forbidden("/problems/order-units/cancel-not-possible", f"Order unit {id_order_unit} is {unit.status}")
        unit.status, unit.cancel_reason, unit.updated = "cancelled", reason, now
        self.cancels.append({"id_order_unit": id_order_unit, "reason": reason, "by": by})

    def refund(self, id_order_unit: int, amount: int, reason: str) -> None:
        """A partial (or full) refund of a unit the buyer paid for. The spec
        answers only 400 for a refusal: a cancelled unit was refunded by its
        cancellation, and no unit is refunded more than its price."""
        unit = self.unit(id_order_unit)
        if reason not in REFUND_REASONS:
            raise invalid("reason", f"unknown refund reason {reason!r}")
        if unit.status == "cancelled":
            raise invalid("id_order_unit", f"Order unit {id_order_unit} is cancelled: it was refunded in full")
        refunded = sum(r["amount"] for r in self.refunds if r["id_order_unit"] == id_order_unit)
        if amount > unit.price - refunded:
            raise invalid("amount", f"at most {unit.price - refunded} cents of order unit {id_order_unit} are left")
        self.refunds.append({"id_order_unit": id_order_unit, "amount": amount, "reason": reason})

    def listed(
        self,
        statuses: list[str],
        updated_from: datetime | None,
        created_from: datetime | None,
        sort: str,
        storefront: str | None,
    ) -> list[Unit]:
        units = [
            u
            for u in self.units.values()
            if (not statuses or u.status in statuses)
            and (updated_from is None or u.updated >= updated_from)
            and (created_from is None or u.created >= created_from)
            and (storefront is None or u.storefront == storefront)
        ]
        key = (
            (lambda u: (u.updated, u.id_order_unit))
            if sort == "ts_updated:desc"
            else (lambda u: (u.created, u.id_order_unit))
        )
        return sorted(units, key=key, reverse=True)


def unit_json(unit: Unit, order: Order) -> dict[str, Any]:
    expires = unit.created + timedelta(days=unit.delivery_time_max)
    return {
        "id_order_unit": unit.id_order_unit,
        "id_order": unit.id_order,
        "ts_created_iso": wire_time(unit.created),
        "ts_updated_iso": wire_time(unit.updated),
        "is_marketplace_deemed_supplier": False,
        "status": unit.status,
        "price": unit.price,
        "id_offer": unit.id_offer,
        "revenue_gross": unit.price,
        "revenue_net": round(unit.price / 1.19),
        "note": None,
        "unit_condition": "new",
        "storefront": unit.storefront,
        "currency": CURRENCIES.get(unit.storefront, "EUR"),
        "delivery_time_min": 1,
        "delivery_time_max": unit.delivery_time_max,
        "delivery_time_expires_iso": wire_time(expires),
        "order_received_timestamp_iso": wire_time(unit.created),
        "shipping_rate": 0,
        "cancel_reason": unit.cancel_reason,
        "fulfillment_type": "fulfilled_by_merchant",
        "buyer": order.buyer,
        "billing_address": order.address,
        "shipping_address": order.address,
        "product": {
            "id_product": unit.id_product,
            "storefront": unit.storefront,
            "title": unit.title,
            "eans": [unit.ean],
            "id_category": 1,
            "main_picture": "https://media.sandbox.invalid/p.jpg",
            "manufacturer": "Sandbox",
            "url": f"https://www.kaufland.de/product/{unit.id_product}/",
            "age_rating": 0,
            "is_valid": True,
            "dangerous_goods_li_shipping": None,
            "danger_label_9A": None,
        },
        "vat": 19.0,
    }


def order_json(order: Order, book: OrderBook) -> dict[str, Any]:
    return {
        "id_order": order.id_order,
        "ts_created_iso": wire_time(order.created),
        "is_marketplace_deemed_supplier": False,
        "storefront": order.storefront,
        "fulfillment_type": "fulfilled_by_merchant",
        # The spec requires `tickets` on an order's units (not on /order-units).
        "order_units": [{**unit_json(book.units[uid], order), "tickets": []} for uid in order.unit_ids],
        "billing_address": order.address,
        "shipping_address": order.address,
        "buyer": order.buyer,
    }
