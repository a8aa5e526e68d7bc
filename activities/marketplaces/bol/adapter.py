"""bol.com Retailer API v10 as a MarketplaceAdapter."""

import math
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import httpx

from activities.marketplaces.base import CommandContext
from activities.marketplaces.bol import wire
from activities.marketplaces.bol.http import BolHttp
from activities.marketplaces.bol.ids import BolId, InvalidBolId, checked, path
from activities.marketplaces.bol.invoices import BolInvoices
from activities.marketplaces.bol.labels import BolLabels
from activities.marketplaces.bol.listed import Skip, page_items, read_each
from activities.marketplaces.bol.mapping import change_from_wire, order_from_wire, returns_from_wire
from activities.marketplaces.bol.offers import BolOffers, OutcomeCallback
from activities.marketplaces.bol.process import GONE, ProcessTracker
from activities.marketplaces.bol.push_keys import PushKeys
from activities.marketplaces.plaza.transport import PlazaOfferTransport
from domain.channels import Marketplace
from domain.config import BolChannelConfig
from domain.errors import BusinessError, CommandFailed, OrderNotVisible, ProcessStillPending
from domain.intake import OrderChange
from domain.labels import BoughtLabel, LabelRules
from domain.offers.export import OfferExport
from domain.offers.model import LiveOffer, OfferChange, OfferOutcome, ProcessEnd
from domain.order.aftersales import InvoiceFile, InvoiceReceipt, Ticket
from domain.order.commands import CommandResult, ShipmentResult
from domain.order.marketplace import Order, ReturnNotice
from domain.order.view import LineQuantity, Transport
from domain.reasons import CancellationReason, ReturnHandling

# Transport events that mean the buyer has the parcel.
DELIVERED_EVENTS = frozenset({"DELIVERED_AT_CUSTOMER", "DELIVERED_AT_NEIGHBOURS", "PICKED_UP_AT_PICK_UP_POINT"})
# change-interval-minute accepts at most 60; past that we read all open orders.
MAX_CHANGE_INTERVAL = timedelta(minutes=60)
# bol says to poll one minute more often than the interval; we add a minute of overlap.
OVERLAP = timedelta(minutes=1)


class BolAdapter:
    marketplace = Marketplace.BOL

    def __init__(
        self,
        channel: str,
        config: BolChannelConfig,
        transport: httpx.AsyncBaseTransport | None = None,
        process_poll_interval: float | None = None,
        plaza_transport: httpx.AsyncBaseTransport | None = None,
    ):
        self.channel = channel
        self.config = config
        self.http = BolHttp(config, transport=transport)
        self.tracker = ProcessTracker(
            self.http,
            min_interval=process_poll_interval or config.process_status_poll.total_seconds(),
            pushes=config.process_status_pushes,
        )
        self.push_keys = PushKeys(self.http)
        self.offers = BolOffers(self.http, self.tracker, config.process_status_patience.total_seconds())
        self.invoices = BolInvoices(channel, self.http, self.tracker, config.process_status_patience.total_seconds())
        self.labels = BolLabels(self.http, self.tracker, config.process_status_patience.total_seconds())
        self.plaza = (
            PlazaOfferTransport(config.plaza, transport=plaza_transport) if config.offer_transport == "plaza" else None
        )

    async def aclose(self) -> None:
        await self.http.aclose()
        if self.plaza is not None:
            await self.plaza.aclose()

    async def check_credentials(self) -> None:
        # A token is fetched on the way; the read proves bol takes it for
        # this seller's API, not just at the login service.
        params = {"status": "OPEN", "fulfilment-method": self.config.fulfilment_method, "page": 1}
        await self.http.call("GET", "/retailer/orders", params=params)
        if self.plaza is not None:
            await self.plaza.check_credentials()

    # Reading.

    async def changed_orders(
        self, since: datetime | None, now: datetime, skip: Skip | None = None
    ) -> list[OrderChange]:
        params: dict[str, Any] = {"status": "OPEN", "fulfilment-method": self.config.fulfilment_method}
        if since is not None and now - since + OVERLAP <= MAX_CHANGE_INTERVAL:
            params["change-interval-minute"] = math.ceil((now - since + OVERLAP).total_seconds() / 60)
        changes: list[OrderChange] = []
        async for page in self._pages("/retailer/orders", params):
            orders = page_items(page, "orders")
            if not orders:
                break
            changes.extend(read_each(orders, _read_change, "order", "orderId", skip))
        return changes

    async def get_order(self, marketplace_order_id: str) -> Order:
        try:
            order = await self._wire_order(marketplace_order_id)
        except BusinessError as exc:
            if exc.status == 404:  # a push can outrun bol's API: accept asks again for a while
                raise OrderNotVisible(f"bol does not show order {marketplace_order_id} (yet)") from exc
            raise
        if order.orderId != marketplace_order_id:
            # bol answered for another order (an id it normalises, say): this
            # one would run twice, under two workflow ids, on one reservation.
            raise InvalidBolId(f"orderId: bol answered {order.orderId!r} when asked for {marketplace_order_id!r}")
        return order_from_wire(self.channel, order)

    async def open_returns(self, skip: Skip | None = None) -> list[ReturnNotice]:
        params = {"handled": "false", "fulfilment-method": self.config.fulfilment_method}
        notices: list[ReturnNotice] = []
        async for page in self._pages("/retailer/returns", params):
            returns = page_items(page, "returns")
            if not returns:
                break
            notices.extend(read_each(returns, _read_return, "return", "returnId", skip))
        return notices

    async def _pages(self, path: str, params: dict[str, Any]) -> AsyncIterator[Any]:
        page = 1
        while True:
            response = await self.http.call("GET", path, params={**params, "page": page})
            yield response.json() if response.content else {}
            page += 1

    async def _wire_order(self, order_id: str) -> wire.Order:
        response = await self.http.call("GET", path("/retailer/orders/{}", order_id, BolId.ORDER))
        return wire.Order.model_validate(response.json())

    # Offers.

    async def push_offers(self, changes: list[OfferChange], on_outcome: OutcomeCallback) -> list[OfferOutcome]:
        if self.plaza is not None:
            return await self.plaza.push(changes, on_outcome)
        return await self.offers.push(changes, on_outcome)

    async def offer_update_ends(self, process_ids: list[str]) -> dict[str, ProcessEnd]:
        return await self.offers.ends(process_ids)

    async def live_offer(self, offer_id: str) -> LiveOffer:
        return await self.offers.get(offer_id)

    async def export_offers(self) -> OfferExport:
        return await self.offers.export()

    # After sales.

    async def upload_invoice(self, marketplace_order_id: str, invoice: InvoiceFile) -> InvoiceReceipt:
        return await self.invoices.upload(marketplace_order_id, invoice)

    async def open_tickets(
        self, marketplace_order_id: str | None = None, opened_before: datetime | None = None
    ) -> list[Ticket]:
        # bol's Retailer API has no buyer messages: buyers reach sellers by e-mail.
        return []

    async def reply_ticket(self, ticket_id: str, text: str) -> None:
        raise BusinessError("bol.com has no buyer messages in its API; answer the buyer by e-mail")

    # Commands. Each re-reads bol's state before sending, so a retry after a
    # lost response or a crash never does the thing twice.

    async def ship(
        self,
        marketplace_order_id: str,
        lines: list[LineQuantity],
        shipped_before: dict[str, int],
        transport: Transport,
        reference: str | None,
        ctx: CommandContext,
    ) -> ShipmentResult:
        plan: dict[str, Any] = {}

        async def prepare() -> dict[str, Any] | None:
            items = {item.orderItemId: item for item in (await self._wire_order(marketplace_order_id)).orderItems}
            to_send, done, cancel_requested = [], [], []
            for line in lines:
                item = items.get(line.line_id)
                if item is None:
                    raise BusinessError(f"order item {line.line_id} is not on bol order {marketplace_order_id}")
                already = item.quantityShipped - shipped_before.get(line.line_id, 0)
                if already >= line.quantity:
                    done.append(line)
                    continue
                if item.cancellationRequest:
                    cancel_requested.append(line.line_id)
                    continue
                quantity = min(
                    line.quantity - max(0, already), item.quantity - item.quantityShipped - item.quantityCancelled
                )
                if quantity > 0:
                    to_send.append(LineQuantity(line_id=line.line_id, quantity=quantity))
            plan.update(done=done, cancel_requested=cancel_requested, to_send=to_send)
            if not to_send:
                return None
            body: dict[str, Any] = {
                "orderItems": [{"orderItemId": line.line_id, "quantity": line.quantity} for line in to_send],
            }
            if transport.shipping_label_id:
                # bol's label carries transporter and tracking: no transport with it.
                body["shippingLabelId"] = transport.shipping_label_id
            else:
                body["transport"] = {"transporterCode": transport.transporter_code}
                if transport.track_and_trace:
                    body["transport"]["trackAndTrace"] = transport.track_and_trace
            if reference:
                body["shipmentReference"] = reference[:90]
            return body

        sent_lines: list[LineQuantity] = []

        async def send(body: dict[str, Any]) -> wire.ProcessStatus:
            sent_lines[:] = plan["to_send"]
            return await self._accepted("POST", "/retailer/shipments", body)

        entities = [(line.line_id, "CREATE_SHIPMENT") for line in lines]
        result = await self._command(ctx, prepare, send, entities, what=f"shipment of order {marketplace_order_id}")
        done = plan.get("done", [])
        done_ids = {line.line_id for line in done}
        shipped = done + [line for line in sent_lines if line.line_id not in done_ids]
        return ShipmentResult(
            shipped=shipped,
            cancellation_requested_line_ids=plan.get("cancel_requested", []),
            process_id=result.process_id,
        )

    async def buy_label(
        self,
        marketplace_order_id: str,
        lines: list[LineQuantity],
        rules: LabelRules,
        resume_process_id: str | None,
        on_accepted: Callable[[str], Awaitable[None]],
        heartbeat: Callable[[], None] | None = None,
    ) -> BoughtLabel | None:
        """None when nothing is left to label: the buyer asked to cancel every
        line (the ship step then reports it), so no label is paid for."""
        if not resume_process_id:
            items = {item.orderItemId: item for item in (await self._wire_order(marketplace_order_id)).orderItems}
            lines = [line for line in lines if _labelable(items.get(line.line_id))]
            if not lines:
                return None
        return await self.labels.buy(lines, rules, resume_process_id, on_accepted, heartbeat)

    async def void_label(self, label_id: str) -> str:
        # Retailer API v10 has shipping-label calls to read options, buy and
        # fetch, none to cancel one: say so rather than pretend.
        return f"bol's API cannot cancel shipping label {label_id}: do not hand it over"

    async def change_transport(
        self, marketplace_order_id: str, line_ids: list[str], transport: Transport, ctx: CommandContext
    ) -> CommandResult:
        """Tracking added or corrected after shipping (PUT
        /retailer/transports/{transport-id}, CHANGE_TRANSPORT) on the newest
        shipment of these lines. Re-read before sending: a retry after a lost
        answer sees the change made and sends nothing."""
        shipment_id = await self._shipment_of(marketplace_order_id, line_ids)

        async def current() -> wire.TransportRef:
            response = await self.http.call("GET", path("/retailer/shipments/{}", shipment_id, BolId.OPAQUE))
            return wire.ShipmentDetail.model_validate(response.json()).transport

        now = await current()
        if not now.transportId:
            raise BusinessError(f"bol shows no transport for shipment {shipment_id} of order {marketplace_order_id}")
        transport_id = now.transportId
        code = transport.transporter_code or None

        async def prepare() -> dict[str, Any] | None:
            seen = await current()
            if seen.trackAndTrace == transport.track_and_trace and code in (None, seen.transporterCode):
                return None
            body: dict[str, Any] = {"trackAndTrace": transport.track_and_trace}
            if code:
                body["transporterCode"] = code
            return body

        async def send(body: dict[str, Any]) -> wire.ProcessStatus:
            return await self._accepted("PUT", path("/retailer/transports/{}", transport_id, BolId.OPAQUE), body)

        return await self._command(
            ctx, prepare, send, [(transport_id, "CHANGE_TRANSPORT")], what=f"tracking of shipment {shipment_id}"
        )

    async def delivered_at(self, marketplace_order_id: str) -> datetime | None:
        """When the carrier delivered the order's last parcel (its transport
        events), or None while one is not delivered or none says so."""
        response = await self.http.call(
            "GET", "/retailer/shipments", params={"order-id": checked(marketplace_order_id, BolId.ORDER), "page": 1}
        )
        page = wire.ShipmentsPage.model_validate(response.json() if response.content else {})
        delivered: list[datetime] = []
        for shipment in page.shipments:
            if not shipment.shipmentId:
                continue
            detail = await self.http.call("GET", path("/retailer/shipments/{}", shipment.shipmentId, BolId.OPAQUE))
            events = wire.ShipmentDetail.model_validate(detail.json()).transport.transportEvents
            at = [e.eventDateTime for e in events if e.eventCode in DELIVERED_EVENTS and e.eventDateTime]
            if not at:
                return None
            delivered.append(min(at))
        return max(delivered, default=None)

    async def _shipment_of(self, marketplace_order_id: str, line_ids: list[str]) -> str:
        wanted = set(line_ids)
        response = await self.http.call(
            "GET", "/retailer/shipments", params={"order-id": checked(marketplace_order_id, BolId.ORDER), "page": 1}
        )
        page = wire.ShipmentsPage.model_validate(response.json() if response.content else {})
        for shipment in page.shipments:  # newest first
            if shipment.shipmentId and (not wanted or wanted & {i.orderItemId for i in shipment.shipmentItems}):
                return shipment.shipmentId
        raise BusinessError(f"bol lists no shipment of order {marketplace_order_id} to add tracking to")

    async def cancel_line(
        self, marketplace_order_id: str, line_id: str, reason: CancellationReason, ctx: CommandContext
    ) -> CommandResult:
        async def prepare() -> dict[str, Any] | None:
            items = {item.orderItemId: item for item in (await self._wire_order(marketplace_order_id)).orderItems}
            item = items.get(line_id)
            if item is None:
                raise BusinessError(f"order item {line_id} is not on bol order {marketplace_order_id}")
            if item.quantity - item.quantityShipped - item.quantityCancelled <= 0:
                return None
            return {"orderItems": [{"orderItemId": line_id, "reasonCode": reason.value}]}

        async def send(body: dict[str, Any]) -> wire.ProcessStatus:
            return await self._accepted("PUT", "/retailer/orders/cancellation", body)

        return await self._command(
            ctx, prepare, send, [(line_id, "CANCEL_ORDER")], what=f"cancellation of order item {line_id}"
        )

    async def handle_return(
        self,
        rma_id: str,
        return_id: str | None,
        handling: ReturnHandling,
        quantity: int,
        ctx: CommandContext,
        message: str | None = None,
    ) -> CommandResult:
        # bol sends the buyer no message with a handling: `message` is not used.
        async def prepare() -> dict[str, Any] | None:
            if return_id:
                response = await self.http.call("GET", path("/retailer/returns/{}", return_id, BolId.OPAQUE))
                ret = wire.Return.model_validate(response.json())
                if any(item.rmaId == rma_id and item.handled for item in ret.returnItems):
                    return None
            return {"handlingResult": handling.value, "quantityReturned": quantity}

        async def send(body: dict[str, Any]) -> wire.ProcessStatus:
            return await self._accepted("PUT", path("/retailer/returns/{}", rma_id, BolId.RMA), body)

        return await self._command(
            ctx, prepare, send, [(rma_id, "HANDLE_RETURN_ITEM")], what=f"handling of return {rma_id}"
        )

    async def _accepted(self, method: str, path: str, body: dict[str, Any]) -> wire.ProcessStatus:
        response = await self.http.call(method, path, json=body, ok=(202,))
        return wire.ProcessStatus.model_validate(response.json())

    async def _command(
        self,
        ctx: CommandContext,
        prepare: Callable[[], Awaitable[dict[str, Any] | None]],
        send: Callable[[dict[str, Any]], Awaitable[wire.ProcessStatus]],
        entities: list[tuple[str, str]],
        what: str,
    ) -> CommandResult:
        patience = self.config.process_status_patience.total_seconds()
        in_flight = [ctx.resume_process_id] if ctx.resume_process_id else []
        if ctx.check_pending:
            in_flight += await self._pending_processes(entities)
        for process_id in dict.fromkeys(in_flight):
            # An earlier attempt's command: let it finish, then look again.
            await self.tracker.wait(process_id, patience, ctx.heartbeat)
        body = await prepare()
        if body is None:
            return CommandResult(process_id=ctx.resume_process_id)
        accepted = await send(body)
        if accepted.processStatusId:
            ctx.on_accepted(accepted.processStatusId)
        final = accepted
        if accepted.status == "PENDING" and accepted.processStatusId:
            final = await self.tracker.wait(accepted.processStatusId, patience, ctx.heartbeat)
        if final.status == "SUCCESS":
            return CommandResult(process_id=accepted.processStatusId)
        if final.status == "FAILURE":
            raise CommandFailed(f"bol refused the {what}: {final.errorMessage or final.description or 'FAILURE'}")
        if await prepare() is None:
            return CommandResult(process_id=accepted.processStatusId)
        if final.status == GONE:
            raise ProcessStillPending(f"bol forgot the process status of the {what}; will re-check")
        raise CommandFailed(f"bol did not process the {what} in time (process status {final.status})")

    async def _pending_processes(self, entities: list[tuple[str, str]]) -> list[str]:
        pending: list[str] = []
        for entity_id, event_type in entities:
            response = await self.http.call(
                "GET", "/shared/process-status", params={"entity-id": entity_id, "event-type": event_type}
            )
            statuses = wire.ProcessStatusResponse.model_validate(response.json() if response.content else {})
            pending += [
                s.processStatusId for s in statuses.processStatuses if s.status == "PENDING" and s.processStatusId
            ]
        return pending


def _labelable(item: wire.OrderItem | None) -> bool:
    if item is None or item.cancellationRequest:
        return False
    return item.quantity - item.quantityShipped - item.quantityCancelled > 0


def _read_change(order: Any) -> list[OrderChange]:
    change = change_from_wire(wire.ReducedOrder.model_validate(order))
    _ours(change.marketplace_order_id)
    return [change]


def _read_return(ret: Any) -> list[ReturnNotice]:
    notices = returns_from_wire(wire.Return.model_validate(ret))
    for notice in notices:
        _ours(notice.marketplace_order_id)
    return notices


def _ours(order_id: str) -> None:
    """A listed order id that cannot become a workflow id makes its item
    unreadable: skipped and reported, while the rest of the poll goes on."""
    if not BolId.ORDER.matches(order_id):
        raise ValueError(f"orderId {order_id[:40]!r} is not in bol's order id format")
