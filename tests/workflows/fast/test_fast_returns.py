"""Returns on doubles: announced and received (meeting the conditions or
not, resellable or not), a return matching no line, a refused return,
and a return left unhandled past the marketplace's SLA (told by intake's
returns poll, activities/return_watch.py, with the server's clock)."""

from datetime import timedelta
from decimal import Decimal

from temporalio.client import WorkflowHandle

from activities.return_watch import ReturnWatch
from domain.channels import Marketplace
from domain.order.commands import HandleReturnInput, ReturnOutcome
from domain.order.marketplace import ReturnNotice
from domain.order.messages import PickRequest, ResumeRequest, ReturnReceivedRequest
from domain.order.return_sla import ReturnsOverdue
from domain.order.status import OrderStatus, Step
from domain.reasons import ReturnHandling
from tests.workflows.fast.doubles import LAMP_EAN, MUG_EAN, FakeOrderActivities, accepted, business_error, lamp, mug
from tests.workflows.fast.support import (
    current_details,
    finished,
    needs_attention,
    reaches,
    rejection,
    search_attributes,
    until,
)
from tests.workflows.helpers import keep_history
from workers.actions import count_actions
from workflows.order import OrderWorkflow


async def shipped_order(orders, fake: FakeOrderActivities, **input_overrides) -> WorkflowHandle:
    handle = await orders.start(fake, **input_overrides)
    await reaches(handle, OrderStatus.AWAITING_PICK)
    await handle.execute_update(OrderWorkflow.pick, PickRequest())
    await reaches(handle, OrderStatus.SHIPPED)
    return handle


def notice(
    handle: WorkflowHandle, rma_id: str = "RMA-1", ean: str = MUG_EAN, quantity: int = 1, **extra
) -> ReturnNotice:
    return ReturnNotice(
        marketplace_order_id=handle.id.split(":")[-1],
        rma_id=rma_id,
        return_id=f"R-{rma_id}",
        ean=ean,
        quantity=quantity,
        reason="Anders",
        **extra,
    )


async def test_a_return_received_in_good_condition_is_refunded_and_restocked(orders, time_env):
    fake = FakeOrderActivities(accepted(mug(2), lamp(1)))
    fake.return_replies.append(ReturnOutcome(refund=Decimal("12.95"), restocked=True))
    handle = await shipped_order(orders, fake)

    await handle.signal(OrderWorkflow.return_announced, notice(handle))
    await handle.signal(OrderWorkflow.return_announced, notice(handle))  # a repeat is ignored
    open_return = await reaches(handle, OrderStatus.RETURN_OPEN)
    [record] = open_return.returns
    assert (record.line_id, record.quantity, record.handled_at) == ("L-MUG", 1, None)
    assert open_return.waiting_for == "The warehouse to receive return(s) RMA-1"
    assert (await search_attributes(handle))["OrderStatus"] == "RETURN_OPEN"
    assert await current_details(handle) == "**RETURN_OPEN** — waiting for: The warehouse to receive return(s) RMA-1"

    reply = await handle.execute_update(OrderWorkflow.return_received, ReturnReceivedRequest(resellable=True))
    assert reply == "handling return RMA-1"
    closed = await finished(handle)

    [handled] = fake.called("handle_return")
    assert handled == HandleReturnInput(
        order=fake.called("accept_order")[0],
        rma_id="RMA-1",
        return_id="R-RMA-1",
        line_id="L-MUG",
        sku="MUG-BLUE",
        quantity=1,
        handling=ReturnHandling.RETURN_RECEIVED,
        resellable=True,
        unit_price=Decimal("12.95"),
    )
    assert closed.status == OrderStatus.CLOSED
    [record] = closed.returns
    assert record.handling == ReturnHandling.RETURN_RECEIVED and record.resellable is True
    assert record.refund == Decimal("12.95") and record.handled_at is not None
    assert [line.quantity_returned for line in closed.lines] == [1, 0]
    assert any("return RMA-1: RETURN_RECEIVED, refund 12.95, back in stock" in note for note in closed.history)


async def test_a_return_that_does_not_meet_the_conditions_is_not_refunded(orders):
    fake = FakeOrderActivities(accepted(lamp(1)))
    handle = await shipped_order(orders, fake)
    await handle.signal(OrderWorkflow.return_announced, notice(handle, ean=LAMP_EAN))
    await reaches(handle, OrderStatus.RETURN_OPEN)
    await handle.execute_update(
        OrderWorkflow.return_received, ReturnReceivedRequest(meets_conditions=False, resellable=False)
    )
    closed = await finished(handle)
    [handled] = fake.called("handle_return")
    assert (handled.handling, handled.resellable, handled.line_id) == (
        ReturnHandling.RETURN_DOES_NOT_MEET_CONDITIONS,
        False,
        "L-LAMP",
    )
    record = closed.returns[0]
    assert record.handling == ReturnHandling.RETURN_DOES_NOT_MEET_CONDITIONS and record.refund is None
    assert any(note.endswith("return RMA-1: RETURN_DOES_NOT_MEET_CONDITIONS") for note in closed.history)


async def test_a_received_but_not_resellable_return_is_refunded_and_not_restocked(orders):
    fake = FakeOrderActivities(accepted(mug(1)))
    fake.return_replies.append(ReturnOutcome(refund=Decimal("12.95"), restocked=False))
    handle = await shipped_order(orders, fake)
    await handle.signal(OrderWorkflow.return_announced, notice(handle))
    await reaches(handle, OrderStatus.RETURN_OPEN)
    await handle.execute_update(OrderWorkflow.return_received, ReturnReceivedRequest(resellable=False))
    closed = await finished(handle)
    [handled] = fake.called("handle_return")
    assert (handled.handling, handled.resellable) == (ReturnHandling.RETURN_RECEIVED, False)
    assert closed.returns[0].resellable is False
    assert any(note.endswith("return RMA-1: RETURN_RECEIVED, refund 12.95") for note in closed.history)


async def test_returns_are_matched_by_rma_line_and_quantity(orders):
    """Two returns open: one handled by rma id with part of its quantity,
    the other by line; a quantity above the announced one is refused."""
    fake = FakeOrderActivities(accepted(mug(3), lamp(1)))
    handle = await shipped_order(orders, fake)
    await handle.signal(OrderWorkflow.return_announced, notice(handle, rma_id="RMA-M", quantity=2))
    await handle.signal(OrderWorkflow.return_announced, notice(handle, rma_id="RMA-L", ean="0000", line_id="L-LAMP"))
    await until(handle, lambda v: len(v.returns) == 2)

    too_many = await rejection(handle, OrderWorkflow.return_received, ReturnReceivedRequest(rma_id="RMA-M", quantity=3))
    assert "return RMA-M: quantity must be 1..2" in too_many
    unknown = await rejection(handle, OrderWorkflow.return_received, ReturnReceivedRequest(rma_id="RMA-X"))
    assert "no open return matches (rma RMA-X, line None); open returns: RMA-M, RMA-L" in unknown

    await handle.execute_update(OrderWorkflow.return_received, ReturnReceivedRequest(line_id="L-LAMP"))
    await handle.execute_update(OrderWorkflow.return_received, ReturnReceivedRequest(rma_id="RMA-M", quantity=1))
    closed = await finished(handle)
    assert [(h.rma_id, h.line_id, h.quantity) for h in fake.called("handle_return")] == [
        ("RMA-L", "L-LAMP", 1),
        ("RMA-M", "L-MUG", 1),
    ]
    assert [line.quantity_returned for line in closed.lines] == [1, 1]


async def test_a_return_that_matches_no_line_needs_attention(orders):
    fake = FakeOrderActivities(accepted(mug(1)))
    handle = await shipped_order(orders, fake)
    await handle.signal(OrderWorkflow.return_announced, notice(handle, rma_id="RMA-9", ean="5012345678900"))
    open_return = await reaches(handle, OrderStatus.RETURN_OPEN)
    assert open_return.returns[0].line_id is None

    await handle.execute_update(OrderWorkflow.return_received, ReturnReceivedRequest(rma_id="RMA-9"))
    stuck = await needs_attention(handle)
    assert stuck.attention == {Step.RETURN: "return RMA-9 (5012345678900) matches no line of this order"}
    assert stuck.status == OrderStatus.RETURN_OPEN
    assert fake.called("handle_return") == []
    assert (await search_attributes(handle))["NeedsAttention"] is True

    await handle.execute_update(OrderWorkflow.resume, ResumeRequest(note="not ours"))
    resumed = await until(handle, lambda v: not v.needs_attention)
    assert resumed.status == OrderStatus.RETURN_OPEN  # the return stays open for ops to sort out
    assert (await search_attributes(handle))["NeedsAttention"] is False


async def test_a_refused_return_needs_attention_then_resume_handles_it(orders):
    fake = FakeOrderActivities(accepted(mug(1)))
    fake.return_replies.append(business_error("Return already handled"))
    handle = await shipped_order(orders, fake)
    await handle.signal(OrderWorkflow.return_announced, notice(handle))
    await reaches(handle, OrderStatus.RETURN_OPEN)
    await handle.execute_update(OrderWorkflow.return_received, ReturnReceivedRequest())
    stuck = await needs_attention(handle)
    assert stuck.attention == {Step.RETURN: "Return already handled"}
    assert stuck.returns[0].handled_at is None and len(fake.called("handle_return")) == 1

    await handle.execute_update(OrderWorkflow.resume, ResumeRequest())
    closed = await finished(handle)
    assert closed.status == OrderStatus.CLOSED and not closed.needs_attention
    first, second = fake.called("handle_return")
    assert first == second
    assert closed.returns[0].handled_at is not None


async def intake_sees(watch: ReturnWatch, time_env, *notices: ReturnNotice, marketplace=Marketplace.BOL) -> int:
    """One returns poll of intake listing these open returns, at the server's time."""
    return await watch.check("bol", marketplace, notices, await time_env.get_current_time())


async def test_a_late_return_is_flagged_and_handling_it_clears_the_flag(orders, time_env):
    fake = FakeOrderActivities(accepted(lamp(1)))
    handle = await shipped_order(orders, fake)
    listed = notice(handle, ean=LAMP_EAN)
    watch = ReturnWatch(time_env.client)
    assert await intake_sees(watch, time_env, listed) == 0  # intake forwards it and starts its clock
    await handle.signal(OrderWorkflow.return_announced, listed)
    await reaches(handle, OrderStatus.RETURN_OPEN)

    await time_env.sleep(timedelta(hours=49))  # bol expects returns handled within 48 hours
    assert await intake_sees(watch, time_env, listed) == 1
    late = await needs_attention(handle)
    assert "return RMA-1 was announced" in late.attention[Step.LATE_RETURN]
    assert "not handled within the marketplace's 2 days, 0:00:00 SLA" in late.attention[Step.LATE_RETURN]
    assert (await search_attributes(handle))["NeedsAttention"] is True
    assert await intake_sees(watch, time_env, listed) == 0  # told once, not at every poll

    await handle.execute_update(
        OrderWorkflow.return_received, ReturnReceivedRequest(meets_conditions=False, resellable=False)
    )
    cleared = await until(handle, lambda v: not v.needs_attention)
    assert cleared.attention == {}
    assert (await search_attributes(handle))["NeedsAttention"] is False
    closed = await finished(handle)
    assert closed.status == OrderStatus.CLOSED and not closed.needs_attention
    assert closed.returns[0].handling == ReturnHandling.RETURN_DOES_NOT_MEET_CONDITIONS


async def test_a_return_handled_in_time_costs_no_sla_timer(orders, time_env):
    """Intake's returns poll is the SLA's clock (issue 12): the order starts
    the return window's timer and no other."""
    fake = FakeOrderActivities(accepted(mug(1)))
    handle = await shipped_order(orders, fake)
    await handle.signal(OrderWorkflow.return_announced, notice(handle))
    await reaches(handle, OrderStatus.RETURN_OPEN)
    await handle.execute_update(OrderWorkflow.return_received, ReturnReceivedRequest())
    await finished(handle)
    history = await handle.fetch_history()
    assert count_actions(history).breakdown()["timer"] == 1


async def test_a_late_return_acknowledged_by_resume_is_not_flagged_again(orders, time_env):
    fake = FakeOrderActivities(accepted(mug(1)))
    handle = await shipped_order(orders, fake)
    listed = notice(handle)
    watch = ReturnWatch(time_env.client)
    await intake_sees(watch, time_env, listed)
    await handle.signal(OrderWorkflow.return_announced, listed)
    await reaches(handle, OrderStatus.RETURN_OPEN)
    await time_env.sleep(timedelta(hours=49))
    await intake_sees(watch, time_env, listed)
    await needs_attention(handle)

    await handle.execute_update(OrderWorkflow.resume, ResumeRequest(note="warehouse is on it"))
    await until(handle, lambda v: not v.needs_attention)
    await time_env.sleep(timedelta(days=40))  # past the return window: still open, not flagged again
    # An intake that restarted meanwhile tells the order again.
    assert await intake_sees(ReturnWatch(time_env.client), time_env, listed) == 0  # its clock starts anew
    await handle.signal(OrderWorkflow.returns_overdue, ReturnsOverdue(rma_ids=["RMA-1"]))
    still_open = await view_after(handle)
    assert still_open.status == OrderStatus.RETURN_OPEN and not still_open.needs_attention

    await handle.execute_update(OrderWorkflow.return_received, ReturnReceivedRequest())
    closed = await finished(handle)  # the window is long over: closes once the return is handled
    assert closed.status == OrderStatus.CLOSED and not closed.needs_attention


async def test_the_return_handling_sla_follows_the_marketplace(orders, time_env):
    """Kaufland allows 14 days: after 49 hours nothing is flagged yet."""
    fake = FakeOrderActivities(accepted(mug(1)))
    handle = await shipped_order(orders, fake, marketplace=Marketplace.KAUFLAND)
    listed = notice(handle)
    watch = ReturnWatch(time_env.client)
    await intake_sees(watch, time_env, listed, marketplace=Marketplace.KAUFLAND)
    await handle.signal(OrderWorkflow.return_announced, listed)
    await reaches(handle, OrderStatus.RETURN_OPEN)
    await time_env.sleep(timedelta(hours=49))
    assert await intake_sees(watch, time_env, listed, marketplace=Marketplace.KAUFLAND) == 0
    assert not (await view_after(handle)).needs_attention
    await time_env.sleep(timedelta(days=13))
    assert await intake_sees(watch, time_env, listed, marketplace=Marketplace.KAUFLAND) == 1
    late = await needs_attention(handle)
    assert "within the marketplace's 14 days, 0:00:00 SLA" in late.attention[Step.LATE_RETURN]


async def view_after(handle: WorkflowHandle):
    """The view once the workflow has caught up with the timers that fired."""
    # A query is answered after the pending workflow task, so two in a row
    # see the state after the wake-up.
    await handle.query(OrderWorkflow.view)
    return await handle.query(OrderWorkflow.view)


async def test_the_same_return_received_twice_is_refused_and_the_order_goes_on(orders):
    """Each received parcel is bound to its return on arrival: a second one
    for the same return (a repeated scan) is refused, instead of queued and
    failing every workflow task once the first is handled."""
    fake = FakeOrderActivities(accepted(mug(1)))
    fake.return_replies.append(business_error("Return service busy"))
    handle = await shipped_order(orders, fake)
    await handle.signal(OrderWorkflow.return_announced, notice(handle))
    await reaches(handle, OrderStatus.RETURN_OPEN)
    assert await handle.execute_update(OrderWorkflow.return_received, ReturnReceivedRequest()) == (
        "handling return RMA-1"
    )
    await needs_attention(handle)  # the first waits to be handled

    for again in (ReturnReceivedRequest(), ReturnReceivedRequest(rma_id="RMA-1")):
        refused = await rejection(handle, OrderWorkflow.return_received, again)
        assert "already received, waiting to be handled: RMA-1" in refused
    await handle.execute_update(OrderWorkflow.resume, ResumeRequest())
    closed = await finished(handle)
    assert closed.status == OrderStatus.CLOSED and not closed.needs_attention
    assert [h.rma_id for h in fake.called("handle_return")] == ["RMA-1", "RMA-1"]


async def test_a_second_parcel_received_while_one_waits_takes_the_next_open_return(orders):
    """Recorded: the marker of the `bind-returns-on-receipt` patch. Runs from
    before it replay the old matching (tests/histories/before-bind-returns-on-receipt)."""
    fake = FakeOrderActivities(accepted(mug(1), lamp(1)))
    fake.return_replies.append(business_error("Return service busy"))
    handle = await shipped_order(orders, fake)
    await handle.signal(OrderWorkflow.return_announced, notice(handle, rma_id="RMA-1"))
    await handle.signal(OrderWorkflow.return_announced, notice(handle, rma_id="RMA-2", ean=LAMP_EAN))
    await until(handle, lambda v: len(v.returns) == 2)
    await handle.execute_update(OrderWorkflow.return_received, ReturnReceivedRequest())
    await needs_attention(handle)

    second = await handle.execute_update(OrderWorkflow.return_received, ReturnReceivedRequest())
    assert second == "handling return RMA-2"
    refused = await rejection(handle, OrderWorkflow.return_received, ReturnReceivedRequest(rma_id="RMA-1"))
    assert "already received, waiting to be handled: RMA-1, RMA-2" in refused
    await handle.execute_update(OrderWorkflow.resume, ResumeRequest())
    closed = await finished(handle)
    assert closed.status == OrderStatus.CLOSED and not closed.needs_attention
    assert [h.rma_id for h in fake.called("handle_return")] == ["RMA-1", "RMA-1", "RMA-2"]
    await keep_history(handle, "order-second-return-received-while-one-waits")


async def test_the_return_sla_runs_from_the_marketplaces_registration(orders, time_env):
    """bol registered the return 40 hours before intake saw it: bol's 48 hours
    end 8 hours later, and the order says so then, not 48 hours later."""
    fake = FakeOrderActivities(accepted(mug(1)))
    handle = await shipped_order(orders, fake)
    registered = await time_env.get_current_time() - timedelta(hours=40)
    listed = notice(handle, registered_at=registered)
    watch = ReturnWatch(time_env.client)
    await intake_sees(watch, time_env, listed)
    await handle.signal(OrderWorkflow.return_announced, listed)
    await reaches(handle, OrderStatus.RETURN_OPEN)
    await time_env.sleep(timedelta(hours=7))
    assert await intake_sees(watch, time_env, listed) == 0
    assert not (await view_after(handle)).needs_attention
    await time_env.sleep(timedelta(hours=2))
    assert await intake_sees(watch, time_env, listed) == 1
    late = await needs_attention(handle)
    assert (
        f"return RMA-1 was registered on the marketplace {registered:%Y-%m-%d %H:%M} UTC"
        in (late.attention[Step.LATE_RETURN])
    )
