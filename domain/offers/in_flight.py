"""Offer updates in flight: sent to a channel that processes them later (bol).
While its processes run, the offer book shows the update as sent (PENDING,
with the sent values and `in_flight`), so the next round compares against
what the channel is about to show, not what it showed before. How the
processes end decides what the book keeps. The book, not the workflow, holds
them: a crash anywhere leaves nothing unfollowed."""

from enum import StrEnum

from domain.offers.model import (
    ChannelOffer,
    DesiredOffer,
    InFlight,
    OfferOutcome,
    OfferState,
    ProcessEnd,
    offer_as_sent,
)


class Settled(StrEnum):
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    # A newer update of the offer was sent meanwhile: its own outcome decides.
    SUPERSEDED = "SUPERSEDED"
    # The channel no longer says how it ended: the offer is sent again whole.
    UNKNOWN = "UNKNOWN"


def sent_offer(channel: str, outcome: OfferOutcome, sent: DesiredOffer, before: ChannelOffer | None) -> ChannelOffer:
    """The book's record while the update is in flight. Sent while an earlier
    update of the offer is still in flight, it waits for that one's processes
    too, and falls back to what the channel had before both: what the book
    claims the channel shows must never be more than it knows."""
    earlier = before.in_flight if before else None
    return offer_as_sent(
        channel,
        outcome,
        sent,
        before,
        state=OfferState.PENDING,
        not_publishable_reasons=before.not_publishable_reasons if before else [],
        in_flight=InFlight(
            process_ids=[*(earlier.process_ids if earlier else []), *outcome.pending_processes],
            before=earlier.before if earlier else (before or ChannelOffer(channel=channel, sku=sent.sku)).values(),
            reasons=[*(earlier.reasons if earlier else []), *outcome.reasons],
        ),
    )


def settle(
    offer: ChannelOffer, followed: list[str], sent: DesiredOffer | None, ends: dict[str, ProcessEnd]
) -> tuple[Settled, ChannelOffer | None]:
    """What the book records once the processes `followed` ended (None: nothing)."""
    in_flight = offer.in_flight
    if in_flight is None or in_flight.process_ids[: len(followed)] != followed:
        return Settled.SUPERSEDED, None
    finals = [ends[pid] for pid in followed]
    reasons = [*in_flight.reasons, *(end.reason or "failed" for end in finals if not end.succeeded)]
    if len(in_flight.process_ids) > len(followed):
        # A newer update was sent meanwhile: its processes decide. These are
        # done with; a failure among them still counts against the whole.
        rest = in_flight.model_copy(update={"process_ids": in_flight.process_ids[len(followed) :], "reasons": reasons})
        return Settled.SUPERSEDED, offer.model_copy(update={"in_flight": rest})
    if any(end.unknown for end in finals):
        unknown = offer.model_copy(update={"price": None, "stock": None, "delivery_code": None, "in_flight": None})
        return Settled.UNKNOWN, unknown
    if reasons:
        # The channel keeps what it had. The same update is not sent again
        # until what we want changes (offer_change).
        return Settled.REJECTED, offer.model_copy(
            update={
                **in_flight.before.model_dump(),
                "state": OfferState.REJECTED,
                "rejection_reasons": reasons,
                "in_flight": None,
            }
        )
    withheld = sent.withheld_reason if sent is not None else None
    return Settled.ACCEPTED, offer.model_copy(
        update={
            "state": OfferState.WITHHELD if offer.on_hold else OfferState.ACCEPTED,
            "rejection_reasons": [withheld] if withheld else [],
            "in_flight": None,
        }
    )
