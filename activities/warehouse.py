"""Pushing an accepted order to a warehouse that cannot speak Temporal.

The push rides on the accept activity the order runs anyway: the happy path
costs no extra activity, timer or marker. A warehouse that does not answer
2xx fails the attempt (retryable), so Temporal retries accept, which is
idempotent (the re-read order, reservations per line), until the warehouse
acknowledges. An acknowledged version is recorded before the attempt ends,
so a retry after the ack (a worker that died right after it) does not send
it again."""

import logging
import time

import httpx
from pydantic import SecretStr
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.store import WarehouseDeliveries
from domain.order.commands import AcceptedOrder
from domain.order.marketplace import Order
from domain.warehouse import (
    ACCEPTED_VERSION,
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WarehouseAddress,
    WarehouseLine,
    WarehouseOrder,
    sign,
)

log = logging.getLogger(__name__)

# Retryable: the order waits for the warehouse like for a marketplace that is down.
NOT_ACKNOWLEDGED = "WarehouseNotAcknowledged"

# Well inside accept's 30 s: the store work and the marketplace read come first.
PUSH_TIMEOUT = 10.0


class WarehousePusher:
    def __init__(
        self,
        url: str,
        secret: SecretStr,
        deliveries: WarehouseDeliveries,
        transport: httpx.AsyncBaseTransport | None = None,
    ):
        self.url = url
        # What errors name: credentials in the URL (user:password, a query token) must not reach the order's history.
        self.where = str(httpx.URL(url).copy_with(query=None, fragment=None, userinfo=b""))
        self.secret = secret
        self.deliveries = deliveries
        self.http = httpx.AsyncClient(timeout=PUSH_TIMEOUT, transport=transport)

    async def push(self, order: WarehouseOrder) -> bool:
        """True when this call delivered it; False when it was already acknowledged."""
        key = order.idempotency_key
        if await self.deliveries.db.run(self.deliveries.acknowledged, key):
            return False
        body = order.model_dump_json().encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(self.secret.get_secret_value(), timestamp, body),
            IDEMPOTENCY_HEADER: key,
        }
        try:
            response = await self.http.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise _not_yet(f"warehouse at {self.where} not reached: {type(exc).__name__}") from exc
        if not response.is_success:
            raise _not_yet(f"warehouse at {self.where} answered {response.status_code}, not 2xx")
        await self.deliveries.db.run(self.deliveries.record, key)
        log.info("warehouse acknowledged %s", key)
        return True

    async def aclose(self) -> None:
        await self.http.aclose()


def _not_yet(message: str) -> ApplicationError:
    info = activity.info() if activity.in_activity() else None
    return ApplicationError(f"{message} (attempt {info.attempt if info else 1})", type=NOT_ACKNOWLEDGED)


def warehouse_order(workflow_id: str, order: Order, accepted: AcceptedOrder) -> WarehouseOrder | None:
    """What the warehouse should pick: the reserved lines. None when there
    is nothing to pick yet (an unknown EAN waits for ops, or nothing is reserved)."""
    if accepted.unknown_eans:
        return None
    lines = [
        WarehouseLine(line_id=line.line_id, ean=line.ean, sku=line.sku, title=line.title, quantity=line.open_quantity)
        for line in accepted.lines
        if line.reserved
    ]
    if not lines:
        return None
    address = order.shipping_address
    street = " ".join(p for p in (address.street_name, address.house_number, address.house_number_extension) if p)
    return WarehouseOrder(
        order_id=workflow_id,
        version=ACCEPTED_VERSION,
        channel=order.channel,
        marketplace_order_id=order.marketplace_order_id,
        placed_at=order.placed_at,
        ship_by=order.ship_by,
        lines=lines,
        ship_to=WarehouseAddress(
            name=f"{address.first_name} {address.surname}".strip(),
            company=address.company,
            street=street,
            zip_code=address.zip_code,
            city=address.city,
            country_code=address.country_code,
            pickup_point_name=address.pickup_point_name,
        ),
    )
