"""How intake starts an order workflow: accepted, with its search attributes.

Given at start, search attributes cost nothing; upserted by the workflow,
one billable Temporal action each (issue 12, README "What an order costs").
Accepting in the workflow's first task costs a marker workflow task (a local
activity), one action more. So intake accepts a new order here, before its
workflow starts (the marketplace read and one store transaction, as the
workflow's accept does), and starts it accepted and as it will wait:
AWAITING_PICK with its ShipBy.

Anything else starts the order as before, and its workflow accepts it: an
order the ledger already holds (seen again by a poll after its push, a
sweep or a restart: it runs, or a start was lost after its acceptance; its
attributes come from the ledger's copy, with no marketplace read), a
process without the store (`accept` None), or a failed accept (the
marketplace slow or down). Accepting twice is harmless: the ledger keeps
one copy, reservations are keyed by line."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta

from temporalio.common import SearchAttributePair, TypedSearchAttributes

from activities.channels import Channels
from domain import names
from domain.order.commands import AcceptedOrder
from domain.order.marketplace import Order
from domain.order.messages import ORDER_CODE_VERSION
from domain.order.state import ship_by_deadline, unknown_eans_problem
from domain.order.status import OrderStatus
from domain.order.view import OrderRef

log = logging.getLogger(__name__)

# Longer than a healthy marketplace read, short enough not to hold up intake:
# a push must be handed over within WebhookSettings.handoff_timeout (5 s),
# start included, and a poll hands its orders over one by one.
READ_TIMEOUT = timedelta(seconds=2)

# OrderActivities.accept_new: the order accepted now, or the ledger's copy
# of one accepted before.
AcceptNew = Callable[[OrderRef, float], Awaitable[AcceptedOrder | Order]]


@dataclass
class OrderStart:
    accepted: AcceptedOrder | None
    search_attributes: TypedSearchAttributes


def start_pairs(channel: str, marketplace_order_id: str, status: OrderStatus) -> list[SearchAttributePair]:
    """What every start of an order by intake gives, at no cost, for a start
    with `code_version=ORDER_CODE_VERSION`."""
    return [
        SearchAttributePair(names.CHANNEL, channel),
        SearchAttributePair(names.MARKETPLACE_ORDER_ID, marketplace_order_id),
        SearchAttributePair(names.NEEDS_ATTENTION, False),
        SearchAttributePair(names.ORDER_STATUS, status.value),
        # Its code version as its input tells it (OrderWorkflowInput.code_version).
        SearchAttributePair(names.CODE_VERSION, names.order_code_version_mark(ORDER_CODE_VERSION)),
    ]


async def prepare_start(channels: Channels, ref: OrderRef, accept: AcceptNew | None) -> OrderStart:
    """For a start with `code_version=ORDER_CODE_VERSION`, as intake's."""
    if accept is not None:
        try:
            accepted = await accept(ref, READ_TIMEOUT.total_seconds())
        except Exception as exc:  # the workflow accepts it, retrying as it does
            log.info("%s order %s starts unaccepted (%s)", ref.channel, ref.marketplace_order_id, exc)
            return OrderStart(None, _received(ref))
        if isinstance(accepted, Order):
            # Known: a start with USE_EXISTING finds its workflow running,
            # and these attributes matter only if its start was lost.
            return OrderStart(None, _awaiting_pick(ref, accepted.ship_by))
        # An order that needs attention, or whose warehouse push is still
        # to be delivered, publishes its real status itself.
        if unknown_eans_problem(accepted) or accepted.warehouse_delivery:
            return OrderStart(accepted, _received(ref))
        return OrderStart(accepted, _awaiting_pick(ref, accepted.ship_by))
    return OrderStart(None, await _read_for_attributes(channels, ref))


async def _read_for_attributes(channels: Channels, ref: OrderRef) -> TypedSearchAttributes:
    """Without accepting: the order is read for its attributes only. The read
    is a hint, like a push: accept reads the order again and trusts only
    that read. If this one fails, the order starts RECEIVED and its workflow
    publishes the rest once accepted."""
    try:
        order = await asyncio.wait_for(
            channels[ref.channel].get_order(ref.marketplace_order_id), READ_TIMEOUT.total_seconds()
        )
    except Exception as exc:  # any failure only costs the upsert this read saves
        log.info(
            "%s order %s starts unread (%s): accepting it publishes its status",
            ref.channel,
            ref.marketplace_order_id,
            exc,
        )
        return _received(ref)
    return _awaiting_pick(ref, order.ship_by)


def _received(ref: OrderRef) -> TypedSearchAttributes:
    return TypedSearchAttributes(start_pairs(ref.channel, ref.marketplace_order_id, OrderStatus.RECEIVED))


def _awaiting_pick(ref: OrderRef, ship_by: date | None) -> TypedSearchAttributes:
    started = start_pairs(ref.channel, ref.marketplace_order_id, OrderStatus.AWAITING_PICK)
    if deadline := ship_by_deadline(ship_by):
        started.append(SearchAttributePair(names.SHIP_BY, deadline))
    return TypedSearchAttributes(started)
