"""Pushing an accepted order to a warehouse that cannot speak Temporal.

The first try rides on the accept activity the order runs anyway: when the
warehouse acknowledges it, the order costs no extra activity, timer or
marker. When it does not, the order version stays in the store's outbox and
accept says so; the workflow then runs `deliver_to_warehouse`, retried while
the warehouse is unreachable or busy (transport errors, 408, 429, 5xx), one
activity attempt each, without reading the order from the marketplace again.
A warehouse that refuses the order (any other 4xx: a wrong secret, a payload
it does not take) is not asked again: the order needs attention at once,
with its answer. An acknowledged version is recorded before the attempt
ends, so a retry after the ack (a worker that died right after it) does not
send it again."""

import logging
import time
from datetime import timedelta

import httpx
from pydantic import SecretStr
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.retry import retry_after
from activities.store import WarehouseDeliveries
from domain.errors import BUSINESS_ERROR_TYPE
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

# Answers in 4xx that mean "not now" rather than "not this order".
TRY_AGAIN_LATER = frozenset({408, 425, 429})
# What a refusal quotes of the warehouse's answer: enough for its reason.
QUOTED_ANSWER = 300

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
        """Stages this order version and delivers it; True when the warehouse
        acknowledged it now, False when it had already. Raises (retryable)
        while the warehouse does not acknowledge it: `deliver` takes over."""
        await self.deliveries.db.run(self.deliveries.stage, order.idempotency_key, order.model_dump_json())
        return await self.deliver(order.idempotency_key)

    async def deliver(self, key: str) -> bool:
        body = await self.deliveries.db.run(self.deliveries.pending, key)
        if body is None:
            return False
        content = body.encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(self.secret.get_secret_value(), timestamp, content),
            IDEMPOTENCY_HEADER: key,
        }
        try:
            response = await self.http.post(self.url, content=content, headers=headers)
        except httpx.HTTPError as exc:
            raise _not_yet(f"warehouse at {self.where} not reached: {type(exc).__name__}") from exc
        if not response.is_success:
            status = response.status_code
            if status < 500 and status not in TRY_AGAIN_LATER:
                raise _refused(f"warehouse at {self.where} refused {key}: {status} {_quote(response)}".strip())
            raise _not_yet(f"warehouse at {self.where} answered {status}, not 2xx", retry_after(response))
        await self.deliveries.db.run(self.deliveries.acknowledge, key)
        log.info("warehouse acknowledged %s", key)
        return True

    async def aclose(self) -> None:
        await self.http.aclose()


def _not_yet(message: str, delay: timedelta | None = None) -> ApplicationError:
    info = activity.info() if activity.in_activity() else None
    return ApplicationError(
        f"{message} (attempt {info.attempt if info else 1})", type=NOT_ACKNOWLEDGED, next_retry_delay=delay
    )


def _refused(message: str) -> ApplicationError:
    """Asking again gets the same answer: ops fix the cause, then resume."""
    return ApplicationError(f"{message}: fix it, then resume the order", type=BUSINESS_ERROR_TYPE, non_retryable=True)


def _quote(response: httpx.Response) -> str:
    """The warehouse's own words, on one line: its reason for refusing."""
    text = " ".join(response.text.split())
    return text if len(text) <= QUOTED_ANSWER else text[:QUOTED_ANSWER] + "…"


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
