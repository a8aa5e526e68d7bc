"""Buyers waiting for an answer: intake's periodic poll asks the marketplace
for open tickets and signals only the orders whose buyer waits longer than
the marketplace expects (and, once answered, the same orders again). One
signal per order and change keeps the Temporal actions few: tickets that are
answered in time never reach a workflow."""

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from temporalio.client import Client

from activities.marketplaces.base import MarketplaceAdapter
from activities.order_signal import signal_order
from domain import names
from domain.order.aftersales import Ticket, TicketsOverdue
from domain.sla import SLA

log = logging.getLogger(__name__)


# An answer is expected within hours: looking every few minutes is soon enough,
# and spares the API a ticket read per open ticket at every returns poll.
CHECK_EVERY = timedelta(minutes=5)


class TicketWatch:
    def __init__(self, client: Client, every: timedelta = CHECK_EVERY):
        self.client = client
        self.every = every
        self._checked: dict[str, datetime] = {}
        # What each order was last told, per channel: only a change is signalled.
        # Lost on restart, which repeats a signal the workflow takes as a no-op.
        self._told: dict[str, dict[str, tuple[str, ...]]] = defaultdict(dict)

    async def check(self, channel: str, adapter: MarketplaceAdapter, now: datetime) -> int:
        """Signals orders whose overdue tickets changed; returns how many."""
        response_time = SLA[adapter.marketplace].ticket_response
        if response_time is None:
            return 0
        last = self._checked.get(channel)
        if last is not None and now - last < self.every:
            return 0
        self._checked[channel] = now
        # A ticket opened less than the response time ago cannot be overdue yet.
        tickets = await adapter.open_tickets(None, opened_before=now - response_time)
        overdue: dict[str, list[Ticket]] = defaultdict(list)
        for ticket in tickets:
            if ticket.overdue(now, response_time):
                overdue[ticket.marketplace_order_id].append(ticket)
        told = self._told[channel]
        signalled = 0
        for order_id in sorted(set(overdue) | set(told)):
            waiting = overdue.get(order_id, [])
            ids = tuple(sorted(t.ticket_id for t in waiting))
            if told.get(order_id, ()) == ids:
                continue
            since = min((t.waiting_since for t in waiting if t.waiting_since), default=None)
            await self._signal(channel, order_id, TicketsOverdue(ticket_ids=list(ids), waiting_since=since))
            signalled += 1
            if ids:
                told[order_id] = ids
            else:
                told.pop(order_id, None)
        return signalled

    async def _signal(self, channel: str, order_id: str, notice: TicketsOverdue) -> None:
        if not await signal_order(self.client, channel, order_id, names.SIGNAL_TICKETS_OVERDUE, notice):
            log.warning("ticket(s) %s of %s order %s: no running order", notice.ticket_ids, channel, order_id)
