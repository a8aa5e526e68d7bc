"""After-sales rules without Temporal: a buyer waiting for an answer, and
Kaufland's return handlings (a clarification keeps the return open)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.channels import Marketplace
from domain.order.aftersales import Ticket, TicketMessage, TicketsOverdue
from domain.order.commands import ReturnOutcome
from domain.order.marketplace import ReturnNotice
from domain.order.messages import OrderWorkflowInput, ReturnReceivedRequest
from domain.order.return_sla import handling_due
from domain.order.state import OrderState
from domain.order.status import OrderStatus, Step
from domain.reasons import ReturnHandling
from domain.sla import SLA
from tests.unit.test_order_state import Clock, accepted, line, notes, shipped_state

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def kaufland_shipped(clock: Clock) -> OrderState:
    order = OrderWorkflowInput(channel="kl", marketplace=Marketplace.KAUFLAND, marketplace_order_id="KL1")
    state = OrderState(order, "order:kl:KL1", clock)
    state.apply_accepted(accepted(line("A", 3, reserved=True, quantity_picked=3, quantity_shipped=3)))
    state.set_status(OrderStatus.SHIPPED, "")
    state.announce_return(
        ReturnNotice(marketplace_order_id="KL1", rma_id="45", ean=line("A").ean, line_id="A", quantity=1)
    )
    return state


def test_a_waiting_buyer_flags_the_order_without_their_words_and_an_answer_clears_it():
    state = shipped_state()
    notice = TicketsOverdue(ticket_ids=["0011"], waiting_since=NOW - timedelta(hours=30))
    state.tickets_overdue(notice)
    state.tickets_overdue(notice)  # intake's repeat after a restart: noted once
    assert Step.UNANSWERED_MESSAGE in state.view.attention
    assert "0011" in state.view.attention[Step.UNANSWERED_MESSAGE]
    assert sum("unanswered message" in n for n in notes(state)) == 1
    state.tickets_overdue(TicketsOverdue())
    assert state.view.attention == {} and notes(state)[-1] == "the buyer's messages are answered"


def test_a_clarification_keeps_the_return_open_and_answers_kauflands_sla():
    clock = Clock()
    state = kaufland_shipped(clock)
    state.receive_return(ReturnReceivedRequest(handling=ReturnHandling.CLARIFY, message="Which part?"))
    command = state.next_return()
    assert command is not None and (command.handling, command.message, command.quantity) == (
        ReturnHandling.CLARIFY,
        "Which part?",
        1,
    )
    state.return_handled(command, ReturnOutcome())
    [record] = state.open_returns()
    assert record.handling == ReturnHandling.CLARIFY and state.line("A").quantity_returned == 0
    # Answered: Kaufland's 14 days no longer run against it.
    clock.now += timedelta(days=15)
    state.flag_late_returns()
    assert Step.LATE_RETURN not in state.view.attention
    # Kaufland still lists it open, so intake says it is overdue: answered, it is not late.
    state.returns_overdue(["45"])
    assert Step.LATE_RETURN not in state.view.attention
    assert state.next_deadline(clock.now, clock.now + timedelta(days=30)) == clock.now + timedelta(days=30)
    # The final handling closes it.
    state.receive_return(ReturnReceivedRequest(rma_id="45"))
    final = state.next_return()
    assert final is not None and final.handling == ReturnHandling.RETURN_RECEIVED
    state.return_handled(final, ReturnOutcome(refund=Decimal("12.95")))
    assert state.open_returns() == [] and state.line("A").quantity_returned == 1


def test_an_unanswered_kaufland_return_is_late_after_14_days_not_48_hours():
    clock = Clock()
    state = kaufland_shipped(clock)
    clock.now += timedelta(days=13)
    state.flag_late_returns()
    assert Step.LATE_RETURN not in state.view.attention
    clock.now += timedelta(days=1, seconds=1)
    state.flag_late_returns()
    assert "14 days" in state.view.attention[Step.LATE_RETURN]


def test_a_handling_the_marketplace_does_not_offer_is_refused_naming_it():
    state = shipped_state()
    state.announce_return(ReturnNotice(marketplace_order_id="1043", rma_id="R1", ean=line("A").ean, quantity=1))
    with pytest.raises(ValueError, match="handling: bol does not offer CLARIFY"):
        state.validate_return_received(ReturnReceivedRequest(handling=ReturnHandling.CLARIFY))


def test_a_buyer_waits_from_their_first_unanswered_message():
    def message(hours_ago: float, from_buyer: bool) -> TicketMessage:
        return TicketMessage(from_buyer=from_buyer, text="…", at=NOW - timedelta(hours=hours_ago))

    ticket = Ticket(ticket_id="0011", marketplace_order_id="KL1", opened_at=NOW - timedelta(hours=50))
    assert ticket.waiting_since == ticket.opened_at  # opened, nothing said yet
    ticket.messages = [message(50, True), message(40, False), message(30, True), message(2, True)]
    assert ticket.waiting_since == NOW - timedelta(hours=30)
    assert ticket.overdue(NOW, timedelta(hours=24)) and not ticket.overdue(NOW, timedelta(hours=31))
    ticket.messages.append(message(1, False))
    assert ticket.waiting_since is None
    assert (
        Ticket(ticket_id="0012", marketplace_order_id="KL1", opened_at=NOW, seller_must_act=False).waiting_since is None
    )


def test_intake_counts_a_returns_sla_from_the_marketplaces_registration_else_from_first_sight():
    registered = ReturnNotice(
        marketplace_order_id="B1", rma_id="R1", ean="8710103917885", quantity=1, registered_at=NOW - timedelta(hours=40)
    )
    assert handling_due(registered, NOW, SLA[Marketplace.BOL]) == NOW + timedelta(hours=8)
    unregistered = registered.model_copy(update={"registered_at": None})
    assert handling_due(unregistered, NOW, SLA[Marketplace.BOL]) == NOW + timedelta(hours=48)
    assert handling_due(unregistered, NOW, SLA[Marketplace.KAUFLAND]) == NOW + timedelta(days=14)


def test_intake_counts_a_business_day_sla_without_the_weekend():
    friday = datetime(2026, 3, 6, 10, 0, tzinfo=UTC)
    notice = ReturnNotice(marketplace_order_id="B1", rma_id="R1", ean="8710103917885", quantity=1, registered_at=friday)
    business = SLA[Marketplace.BOL].model_copy(update={"return_handling_business_days": True})
    # 48 hours from Friday 10:00: Friday and Monday run the clock, the weekend does not.
    assert handling_due(notice, friday, business) == datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


def test_a_return_intake_says_is_overdue_is_flagged_once_and_others_are_not():
    clock = Clock()
    state = kaufland_shipped(clock)
    state.returns_overdue(["someone-else's"])
    assert not state.view.attention
    state.returns_overdue(["45"])
    assert "return 45 was announced" in state.view.attention[Step.LATE_RETURN]
    state.resume("on it")
    state.returns_overdue(["45"])  # told again (intake restarted): acknowledged by resume, not flagged again
    assert not state.view.attention
