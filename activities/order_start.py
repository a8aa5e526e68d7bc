"""The search attributes an order workflow starts with.

Given at start, search attributes cost nothing; upserted by the workflow,
one billable Temporal action each (issue 12, README "What an order costs").
So the order is read here, before its workflow starts, and starts as it
will wait: AWAITING_PICK with its ShipBy. Accepting it (in the workflow's
first task, a few milliseconds later) then publishes nothing, unless it
needs attention, which it publishes with the status it is really in.

The read is a hint, like a push: accept reads the order again and trusts
only that read. If this one fails (the marketplace slow or down), the order
starts RECEIVED and its workflow publishes the rest once accepted."""

import asyncio
import logging
from datetime import timedelta

from temporalio.common import SearchAttributePair, TypedSearchAttributes

from activities.channels import Channels
from domain import names
from domain.order.state import ship_by_deadline
from domain.order.status import OrderStatus

log = logging.getLogger(__name__)

# Longer than a healthy marketplace read, short enough not to hold up intake:
# a push must be handed over within WebhookSettings.handoff_timeout (5 s),
# start included, and a poll hands its orders over one by one.
READ_TIMEOUT = timedelta(seconds=2)


async def start_attributes(channels: Channels, channel: str, marketplace_order_id: str) -> TypedSearchAttributes:
    pairs: list[SearchAttributePair] = [
        SearchAttributePair(names.CHANNEL, channel),
        SearchAttributePair(names.MARKETPLACE_ORDER_ID, marketplace_order_id),
        SearchAttributePair(names.NEEDS_ATTENTION, False),
    ]
    try:
        order = await asyncio.wait_for(channels[channel].get_order(marketplace_order_id), READ_TIMEOUT.total_seconds())
    except Exception as exc:  # any failure only costs the upsert this read saves
        log.info(
            "%s order %s starts unread (%s): accepting it publishes its status", channel, marketplace_order_id, exc
        )
        return TypedSearchAttributes([*pairs, SearchAttributePair(names.ORDER_STATUS, OrderStatus.RECEIVED.value)])
    pairs.append(SearchAttributePair(names.ORDER_STATUS, OrderStatus.AWAITING_PICK.value))
    if deadline := ship_by_deadline(order.ship_by):
        pairs.append(SearchAttributePair(names.SHIP_BY, deadline))
    return TypedSearchAttributes(pairs)
