"""The Kaufland sandbox's whole world, behind one lock (uvicorn serves from
its own thread while tests read and change the same state from theirs).
Routes work on the books while holding `lock`; everything else uses the
methods here, which take the lock themselves and return plain dicts."""

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sandbox.bol.fault_desk import FaultDesk
from sandbox.kaufland.aftersales import (
    AfterSales,
    NewReturn,
    NewTicket,
    invoice_json,
    return_unit_json,
    ticket_details_json,
)
from sandbox.kaufland.config import KauflandSandboxConfig
from sandbox.kaufland.import_files import ImportQueue, import_file_wire
from sandbox.kaufland.orders import NewOrder, OrderBook, order_json, unit_json
from sandbox.kaufland.problems import not_found
from sandbox.kaufland.subscriptions import Notify, SubscriptionBook
from sandbox.kaufland.units import UnitBook, unit_wire

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class KauflandSandbox(FaultDesk):
    def __init__(self, config: KauflandSandboxConfig | None = None, clock: Clock | None = None):
        self.lock = threading.RLock()
        self.config = config or KauflandSandboxConfig()
        self._clock = clock or utc_now
        self._open_desk()
        # One second's budget: (window start, requests in it).
        self._window = (0.0, 0)
        self.order_book = OrderBook()
        # Return units, tickets, invoices (aftersales.py).
        self.after_sales = AfterSales()
        self.subscriptions = SubscriptionBook()
        # The seller's offers, and the import files that change them in bulk.
        self.units = UnitBook(frozenset(self.config.unknown_eans))
        self.imports = ImportQueue(self.units, self.lock, step_seconds=self.config.import_step_seconds)

    def now(self) -> datetime:
        return self._clock()

    def carrier_names(self) -> set[str]:
        return {name for name, _hauler in self.config.carriers}

    # Kaufland's global budget: requests_per_second per seller, every endpoint.

    def take_budget(self) -> bool:
        with self.lock:
            now = time.monotonic()
            start, used = self._window
            if now - start >= 1.0:
                start, used = now, 0
            self._window = (start, used + 1)
            return used < self.config.requests_per_second

    # The buyer's and customer service's side of the marketplace.

    def place_order(self, **fields: Any) -> dict[str, Any]:
        """Fields as in POST /_sandbox/orders: items (ean, quantity, price in
        cents, title?, id_offer?), id_order?, storefront?, status?,
        delivery_time_max?, country?."""
        new = NewOrder.model_validate(fields)
        with self.lock:
            order = self.order_book.place(new, self.config.seed, self.now())
            # Kaufland lowers the offer's amount by what was sold.
            for item in new.items:
                if item.id_offer:
                    self.units.sell(item.id_offer, item.quantity, self.now())
            return order_json(order, self.order_book)

    def offer_units(self) -> list[dict[str, Any]]:
        """Every unit (offer) on every storefront, with its amount's history."""
        with self.lock:
            return [
                {**unit_wire(u), "ean": u.ean, "history": [{"at": at.isoformat(), "amount": n} for at, n in u.history]}
                for u in self.units.listed_everywhere()
            ]

    def import_files(self) -> list[dict[str, Any]]:
        """Every import file with its status per refused line (the rest were applied)."""
        with self.lock:
            return [
                {**import_file_wire(f), "refused_lines": [{"line": n, "error": why} for n, why in f.errors]}
                for f in self.imports.files.values()
            ]

    def drift_unit(self, id_unit: int, **fields: Any) -> dict[str, Any]:
        """An edit in the seller portal: amount, listing_price or handling_time."""
        allowed = {"amount", "listing_price", "handling_time"}
        unknown = sorted(set(fields) - allowed)
        if unknown:
            raise ValueError(f"{unknown[0]}: only {', '.join(sorted(allowed))} can drift")
        with self.lock:
            if id_unit not in {u.id_unit for u in self.units.listed_everywhere()}:
                raise not_found(f"Unit {id_unit}")
            return unit_wire(self.units.drift(id_unit, **{k: int(v) for k, v in fields.items()}))

    def order(self, id_order: str) -> dict[str, Any]:
        with self.lock:
            return order_json(self.order_book.order(id_order), self.order_book)

    def unit(self, id_order_unit: int) -> dict[str, Any]:
        with self.lock:
            unit = self.order_book.unit(id_order_unit)
            return unit_json(unit, self.order_book.order(unit.id_order))

    def cancel_by_customer_service(self, id_order_unit: int, reason: str = "BuyerCancelled") -> dict[str, Any]:
        """Kaufland's customer service cancels a unit (the buyer asked)."""
        with self.lock:
            self.order_book.cancel(id_order_unit, reason, self.now(), by="customer_service")
            return self.unit(id_order_unit)

    def set_unit_status(self, id_order_unit: int, status: str) -> dict[str, Any]:
        with self.lock:
            unit = self.order_book.unit(id_order_unit)
            unit.status, unit.updated = status, self.now()
            return self.unit(id_order_unit)

    def sends(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.order_book.sends)

    def cancels(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.order_book.cancels)

    def shipments(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.order_book.shipments)

    def refunds(self) -> list[dict[str, Any]]:
        """Every refund the seller sent: id_order_unit, amount (cents), reason."""
        with self.lock:
            return list(self.order_book.refunds)

    # After sales: the buyer returns and writes; what the seller answered.

    def open_return(self, **fields: Any) -> list[dict[str, Any]]:
        """Fields as in POST /_sandbox/returns: id_order_units, reason?, note?, arrived?."""
        new = NewReturn.model_validate(fields)
        with self.lock:
            return [return_unit_json(r) for r in self.after_sales.open_return(new, self.order_book, self.now())]

    def return_units(self) -> list[dict[str, Any]]:
        with self.lock:
            return [{**return_unit_json(r), "message": r.message} for r in self.after_sales.return_units.values()]

    def open_ticket(self, **fields: Any) -> dict[str, Any]:
        """Fields as in POST /_sandbox/tickets: id_order_units, message, reason?, at?."""
        new = NewTicket.model_validate(fields)
        with self.lock:
            ticket = self.after_sales.open_ticket(new, self.order_book, self.now())
            return ticket_details_json(ticket, self.order_book)

    def buyer_writes(self, id_ticket: str, text: str) -> dict[str, Any]:
        with self.lock:
            self.after_sales.add_message(id_ticket, "buyer", text, self.now())
            return ticket_details_json(self.after_sales.ticket(id_ticket), self.order_book)

    def tickets(self) -> list[dict[str, Any]]:
        with self.lock:
            return [ticket_details_json(t, self.order_book) for t in self.after_sales.tickets.values()]

    def notify(self, **fields: Any) -> list[dict[str, Any]]:
        """The notification Kaufland would push for an event (POST
        /_sandbox/notifications), with each subscribed callback URL."""
        with self.lock:
            return self.subscriptions.notify(Notify.model_validate(fields), self.now())

    def invoices(self) -> list[dict[str, Any]]:
        with self.lock:
            return [{**invoice_json(i), "size": i.size} for i in self.after_sales.invoices]

    # Requests seen, faults, holds: as in the bol sandbox.
