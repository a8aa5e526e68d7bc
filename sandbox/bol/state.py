"""The sandbox's whole world, behind one lock: uvicorn serves from its own
thread while tests read and change the same state from theirs.

Routes work on the books (order_book, shipment_book, return_book,
offer_book, offer_export_book, process_book) while holding `lock`; everything else — tests, simulators,
the control API — uses the methods here, which take the lock themselves
and return plain dicts."""

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sandbox.bol.bodies import NewOrder, NewReturn, OfferDrift, PushEvent
from sandbox.bol.config import BolSandboxConfig
from sandbox.bol.fault_desk import FaultDesk
from sandbox.bol.faults import PROCESS_FAULTS
from sandbox.bol.ids import next_id
from sandbox.bol.invoices import InvoiceBook
from sandbox.bol.labels import LabelBook
from sandbox.bol.offer_exports import OfferExportBook
from sandbox.bol.offers import Offer, OfferBook
from sandbox.bol.orders import OrderBook
from sandbox.bol.problems import not_found
from sandbox.bol.processes import Effect, ProcessBook
from sandbox.bol.push_keys import SIGNATURE_HEADER, PushKeys
from sandbox.bol.ratelimit import Budget, RateLimiter
from sandbox.bol.returns import ReturnBook
from sandbox.bol.shipments import ShipmentBook
from sandbox.bol.tokens import Rejection, TokenIssuer
from sandbox.bol.wire import wire_time

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class BolSandbox(FaultDesk):
    def __init__(self, config: BolSandboxConfig | None = None, clock: Clock | None = None):
        self.lock = threading.RLock()
        self.config = config or BolSandboxConfig()
        self._clock = clock or utc_now
        self._tokens = TokenIssuer()
        self._limiter = RateLimiter()
        self._open_desk()
        self.order_book = OrderBook()
        self.shipment_book = ShipmentBook()
        self.label_book = LabelBook()
        self.invoice_book = InvoiceBook()
        self.return_book = ReturnBook()
        self.offer_book = OfferBook()
        self.offer_export_book = OfferExportBook()
        self.process_book = ProcessBook()
        self.push_keys = PushKeys()

    def now(self) -> datetime:
        return self._clock()

    def settle(self) -> None:
        """Finishes every process that is due, oldest first."""
        with self.lock:
            self.process_book.settle(self.now())

    # The buyer's side of the marketplace.

    def place_order(self, **fields: Any) -> dict[str, Any]:
        """Fields as in POST /_sandbox/orders (camelCase or snake_case): items
        (ean, quantity, unitPrice, title?, offerReference?, fulfilmentMethod?),
        orderId?, countryCode?, latestDeliveryDays?, pickupPoint?."""
        new = NewOrder.model_validate(fields)
        with self.lock:
            self.settle()
            # Lines for an EAN the seller has an offer for are sold under that offer.
            return self.order_book.place(new, self.config.seed, self.now(), self.offer_book.bought).to_json()

    def request_cancellation(self, order_id: str, order_item_ids: list[str] | None = None) -> dict[str, Any]:
        """The buyer asks to cancel these items (all open ones when None)."""
        with self.lock:
            self.settle()
            return self.order_book.request_cancellation(order_id, order_item_ids, self.now()).to_json()

    def register_return(self, **fields: Any) -> dict[str, str]:
        """Fields as in POST /_sandbox/returns: orderItemId, quantity,
        mainReason?, detailedReason?, customerComments?."""
        new = NewReturn.model_validate(fields)
        with self.lock:
            self.settle()
            ret = self.return_book.register(new, self.order_book, self.now())
            return {"returnId": ret.returnId, "rmaId": ret.returnItems[0].rmaId}

    # bol's side of a push subscription.

    def signed_push(self, event: PushEvent) -> tuple[bytes, dict[str, str]]:
        """The exact bytes of a push about `event`, and the headers that sign them."""
        message = {
            "retailerId": self.config.retailer_id,
            "timestamp": wire_time(self.now()),
            "event": {"resource": event.resource, "type": event.type, "resourceId": event.resource_id},
        }
        body = json.dumps(message).encode()
        return body, {"Content-Type": "application/json", SIGNATURE_HEADER: self.push_keys.sign(body)}

    # What happened, for assertions.

    def order(self, order_id: str) -> dict[str, Any]:
        with self.lock:
            self.settle()
            order = self.order_book.get(order_id)
            if order is None:
                raise not_found(f"Order {order_id}")
            return order.to_json()

    def shipments(self) -> list[dict[str, Any]]:
        with self.lock:
            self.settle()
            return self.shipment_book.records()

    def transport_event(self, shipment_id: str, event_code: str, at: str) -> dict[str, Any]:
        with self.lock:
            self.settle()
            shipment = self.shipment_book.transport_event(shipment_id, event_code, datetime.fromisoformat(at))
            if shipment is None:
                raise not_found(f"Shipment {shipment_id}")
            return shipment.to_json()

    def invoices(self) -> list[dict[str, Any]]:
        with self.lock:
            self.settle()
            return self.invoice_book.records()

    def cancellations(self) -> list[dict[str, Any]]:
        with self.lock:
            self.settle()
            return self.order_book.cancellations()

    def returns(self) -> list[dict[str, Any]]:
        with self.lock:
            self.settle()
            return self.return_book.records()

    def offers(self) -> list[dict[str, Any]]:
        """Every offer, deleted ones too, as GET /retailer/offers/{offer-id}
        shows it now, plus "deleted" and "history": [{"at", "field", "value",
        "drift"?}] with field one of created, stock, price, onHold,
        deliveryCode, deleted, and "at" the sandbox time the change took
        effect (a process's due time; the moment of a drift)."""
        with self.lock:
            self.settle()
            return [self._offer_record(offer) for offer in self.offer_book.all()]

    def offer(self, offer_id: str) -> dict[str, Any]:
        """One offer as offers() shows it, deleted or not."""
        with self.lock:
            self.settle()
            offer = self.offer_book.find(offer_id)
            if offer is None:
                raise not_found(f"Offer {offer_id}")
            return self._offer_record(offer)

    def process_statuses(self, base_url: str = "") -> list[dict[str, Any]]:
        with self.lock:
            self.settle()
            return [process.to_wire(base_url).to_json() for process in self.process_book.all()]

    # The seller's portal: changes made outside the API.

    def drift_offer(self, offer_id: str, **changes: Any) -> dict[str, Any]:
        """Changes made outside the API, in the seller portal, applied at once
        and recorded with "drift": true. Fields as in POST
        /_sandbox/offers/{offerId}/drift: stock?, price? ("12.95", the
        quantity-1 price), onHoldByRetailer?, deliveryCode?."""
        drift = OfferDrift.model_validate(changes)
        with self.lock:
            self.settle()
            return self._offer_record(self.offer_book.drift(offer_id, drift, self.now()))

    def _offer_record(self, offer: Offer) -> dict[str, Any]:
        return self.offer_book.record(offer, self.order_book, self.config.unpublishable_eans)

    # Faults, configuration, reset.

    def update_config(self, **changes: Any) -> dict[str, Any]:
        """A partial BolSandboxConfig; rate_limits rules are added to (or
        replace same-key) existing ones, and all budgets start afresh."""
        with self.lock:
            current = self.config.model_dump()
            rules = {**current["rate_limits"], **changes.pop("rate_limits", {})}
            self.config = BolSandboxConfig.model_validate({**current, **changes, "rate_limits": rules})
            self._limiter.reset()
            return self.config.model_dump(mode="json")

    def reset(self) -> None:
        """Drops orders, shipments, returns, offers, offer exports, processes,
        faults, the request log, rate-limit windows and revoked tokens; the
        config stays."""
        with self.lock:
            self._tokens.reset()
            self._limiter.reset()
            self._clear_desk()
            self.order_book = OrderBook()
            self.shipment_book = ShipmentBook()
            self.label_book = LabelBook()
            self.invoice_book = InvoiceBook()
            self.return_book = ReturnBook()
            self.offer_book = OfferBook()
            self.offer_export_book = OfferExportBook()
            self.process_book = ProcessBook()

    # Used while serving the Retailer API.

    def issue_token(self, client_id: str, client_secret: str) -> dict[str, Any] | None:
        """The token response, or None for wrong credentials."""
        with self.lock:
            if (client_id, client_secret) != (self.config.client_id, self.config.client_secret):
                return None
            ttl = self.config.token_ttl_seconds
            token = self._tokens.issue(client_id, client_secret, ttl, self.now())
            return {"access_token": token, "token_type": "Bearer", "expires_in": ttl, "scope": "RETAILER"}

    def check_token(self, token: str) -> Rejection | None:
        with self.lock:
            return self._tokens.check(token, self.config.client_id, self.config.client_secret, self.now())

    def revoke_token(self, token: str) -> None:
        with self.lock:
            self._tokens.revoke(token, self.now())

    def take_budget(self, endpoint: str) -> Budget:
        with self.lock:
            return self._limiter.take(endpoint, self.config.rule_for(endpoint), self.now())

    def start_process(
        self,
        entity_id: str,
        event_type: str,
        description: str,
        effect: Effect,
        method: str,
        path: str,
        base_url: str,
        entity_on_success: bool = False,
    ) -> dict[str, Any]:
        """Accepts a write: a PENDING process (JSON) that applies `effect` once
        due. With `entity_on_success` (POSTs that create something) entityId
        is shown only once the process has succeeded, as bol does."""
        with self.lock:
            process = self.process_book.start(
                process_id=next_id("process_status"),
                entity_id=entity_id,
                event_type=event_type,
                description=description,
                effect=effect,
                now=self.now(),
                delay_seconds=self.config.process_delay_seconds,
                fault=self._faults.take(method, path, PROCESS_FAULTS),
                entity_on_success=entity_on_success,
            )
            return process.to_wire(base_url).to_json()
