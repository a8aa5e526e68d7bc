"""What the offer book says while bol still processes an update, and once
its processes ended: never that the channel shows more than it knows."""

from decimal import Decimal

from domain.offers.in_flight import Settled, sent_offer, settle
from domain.offers.model import ChannelOffer, DesiredOffer, OfferOutcome, OfferState, ProcessEnd

DONE = ProcessEnd(succeeded=True)


def _want(stock: int, price: str = "12.95", **extra) -> DesiredOffer:
    return DesiredOffer(
        sku="MUG", ean="8712345678906", price=Decimal(price), stock=stock, delivery_code="1-2d", **extra
    )


def _accepted(stock: int) -> ChannelOffer:
    return ChannelOffer(
        channel="bol",
        sku="MUG",
        offer_id="o-1",
        price=Decimal("12.95"),
        stock=stock,
        delivery_code="1-2d",
        state=OfferState.ACCEPTED,
    )


def _sent(stock: int, before: ChannelOffer, *processes: str, reasons: tuple[str, ...] = ()) -> ChannelOffer:
    outcome = OfferOutcome(
        sku="MUG", accepted=False, offer_id="o-1", pending_processes=list(processes), reasons=list(reasons)
    )
    return sent_offer("bol", outcome, _want(stock), before)


def test_an_update_in_flight_shows_as_sent_and_pending():
    offer = _sent(30, _accepted(50), "p1")
    assert (offer.state, offer.stock, offer.offer_id) == (OfferState.PENDING, 30, "o-1")
    assert offer.in_flight is not None and offer.in_flight.process_ids == ["p1"]
    assert offer.in_flight.before.stock == 50


def test_a_finished_update_is_accepted_with_what_was_sent():
    settled, offer = settle(_sent(30, _accepted(50), "p1"), ["p1"], _want(30), {"p1": DONE})
    assert settled is Settled.ACCEPTED
    assert offer is not None and (offer.state, offer.stock, offer.in_flight) == (OfferState.ACCEPTED, 30, None)


def test_a_failed_update_leaves_what_the_channel_had_and_says_why():
    failed = ProcessEnd(succeeded=False, reason="Stock is managed by bol (FBB)")
    settled, offer = settle(_sent(30, _accepted(50), "p1"), ["p1"], _want(30), {"p1": failed})
    assert settled is Settled.REJECTED
    assert offer is not None and (offer.state, offer.stock) == (OfferState.REJECTED, 50)
    assert offer.rejection_reasons == ["Stock is managed by bol (FBB)"]


def test_a_call_refused_at_once_fails_the_update_even_if_the_other_call_succeeds():
    settled, offer = settle(
        _sent(30, _accepted(50), "p1", reasons=("price below the minimum",)), ["p1"], _want(30), {"p1": DONE}
    )
    assert settled is Settled.REJECTED and offer is not None and offer.stock == 50


def test_a_newer_update_waits_for_the_older_ones_processes_and_falls_back_to_before_both():
    older = _sent(30, _accepted(50), "p1")
    newer = _sent(29, older, "p2")
    assert newer.in_flight is not None
    assert newer.in_flight.process_ids == ["p1", "p2"] and newer.in_flight.before.stock == 50

    # A follow that read the book before the newer update was sent: it
    # settles only its own part, and the newer update's processes decide.
    failed = ProcessEnd(succeeded=False, reason="refused")
    settled, offer = settle(newer, ["p1"], _want(29), {"p1": failed})
    assert settled is Settled.SUPERSEDED
    assert offer is not None and offer.in_flight is not None
    assert (offer.state, offer.stock, offer.in_flight.process_ids) == (OfferState.PENDING, 29, ["p2"])

    # The older one failed, so the book cannot claim the newer one's values
    # and falls back to what the channel had before both.
    settled, final = settle(offer, ["p2"], _want(29), {"p2": DONE})
    assert settled is Settled.REJECTED and final is not None and final.stock == 50

    settled, final = settle(newer, ["p1", "p2"], _want(29), {"p1": DONE, "p2": DONE})
    assert settled is Settled.ACCEPTED and final is not None and final.stock == 29


def test_a_follow_of_processes_the_book_no_longer_waits_for_changes_nothing():
    assert settle(_accepted(30), ["p1"], _want(30), {"p1": DONE}) == (Settled.SUPERSEDED, None)
    assert settle(_sent(30, _accepted(50), "p2"), ["p1"], _want(30), {"p1": DONE}) == (Settled.SUPERSEDED, None)


def test_an_update_whose_process_bol_forgot_is_sent_again_whole():
    gone = ProcessEnd(succeeded=False, unknown=True, reason="forgotten")
    settled, offer = settle(_sent(30, _accepted(50), "p1"), ["p1"], _want(30), {"p1": gone})
    assert settled is Settled.UNKNOWN
    assert offer is not None and (offer.stock, offer.price, offer.delivery_code) == (None, None, None)


def test_an_update_that_puts_the_offer_on_hold_is_withheld_once_done():
    want = _want(30, on_hold=True, withheld_reason="below the margin floor")
    offer = sent_offer("bol", OfferOutcome(sku="MUG", accepted=False, pending_processes=["p1"]), want, _accepted(50))
    settled, final = settle(offer, ["p1"], want, {"p1": DONE})
    assert settled is Settled.ACCEPTED and final is not None
    assert (final.state, final.rejection_reasons) == (OfferState.WITHHELD, ["below the margin floor"])
