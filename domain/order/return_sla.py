"""A return's handling SLA, watched from intake (issue 12): the marketplace
lists every return not yet handled, and intake reads that list on every
returns poll anyway, so it tells an order only when one of its returns runs
late. A return handled in time then costs the order no timer of its own."""

from datetime import datetime

from pydantic import BaseModel, Field

from domain.alerts.clock import deadline
from domain.order.marketplace import ReturnNotice
from domain.sla import MarketplaceSla


class ReturnsOverdue(BaseModel):
    """Signalled by intake to an order: these of its returns are still open
    on the marketplace past the handling SLA."""

    rma_ids: list[str] = Field(default_factory=list)


def handling_due(notice: ReturnNotice, first_seen: datetime, sla: MarketplaceSla) -> datetime:
    """When the marketplace counts the return as late: its handling SLA runs
    from the marketplace's registration of the return, else (a channel that
    does not say) from when intake first saw it, which is no later than the
    order heard of it. In business days where the marketplace counts them,
    as the order's own clock and the alert do."""
    starts = min(notice.registered_at, first_seen) if notice.registered_at else first_seen
    return deadline(starts, sla.return_handling, sla.return_handling_business_days)
