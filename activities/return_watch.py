"""Returns running late: intake's returns poll already lists every return
the marketplace holds open (not yet handled), so it is the clock of their
handling SLA. An order is signalled only when one of its returns is past it
(once per return), instead of every order keeping an SLA timer for each
return: a return handled in time costs no Temporal action for its SLA."""

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from temporalio.client import Client

from activities.order_signal import signal_order
from domain import names
from domain.channels import Marketplace
from domain.order.marketplace import ReturnNotice
from domain.order.return_sla import ReturnsOverdue, handling_due
from domain.sla import SLA

log = logging.getLogger(__name__)


class ReturnWatch:
    def __init__(self, client: Client):
        self.client = client
        # Per channel: when each listed return was first seen (its SLA start
        # when the marketplace gives no registration time), and the returns
        # already told late. Lost on restart: the SLA then runs from the next
        # sighting (later, never early) and a late return is told once more,
        # which the order takes as a no-op.
        self._first_seen: dict[str, dict[str, datetime]] = defaultdict(dict)
        self._told: dict[str, set[str]] = defaultdict(set)

    async def check(
        self, channel: str, marketplace: Marketplace, notices: Iterable[ReturnNotice], now: datetime
    ) -> int:
        """Signals each order with returns newly past the SLA; returns how many orders."""
        sla = SLA[marketplace]
        seen, told = self._first_seen[channel], self._told[channel]
        listed: set[str] = set()
        overdue: dict[str, list[str]] = defaultdict(list)
        for notice in notices:
            listed.add(notice.rma_id)
            first_seen = seen.setdefault(notice.rma_id, now)
            if notice.rma_id not in told and now >= handling_due(notice, first_seen, sla):
                overdue[notice.marketplace_order_id].append(notice.rma_id)
        # Handled returns leave the marketplace's list: forget them.
        for rma_id in set(seen) - listed:
            del seen[rma_id]
        told &= listed
        for order_id, rma_ids in sorted(overdue.items()):
            await self._signal(channel, order_id, ReturnsOverdue(rma_ids=sorted(rma_ids)))
            told.update(rma_ids)
        return len(overdue)

    async def _signal(self, channel: str, order_id: str, notice: ReturnsOverdue) -> None:
        if not await signal_order(self.client, channel, order_id, names.SIGNAL_RETURNS_OVERDUE, notice):
            log.warning("return(s) %s of %s order %s are late: no running order", notice.rma_ids, channel, order_id)
