"""Accepted orders pushed to the warehouse over real HTTP, through the dev
server: signed, retried until acknowledged, never sent twice per version,
and riding on the accept the order runs anyway."""

import dataclasses
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from temporalio.api.enums.v1 import EventType
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.orders import WAREHOUSE_DELIVERY_ATTEMPTS, OrderActivities
from activities.store import Database, WarehouseDeliveries
from activities.warehouse import NOT_ACKNOWLEDGED, WarehousePusher
from domain.channels import Marketplace
from domain.errors import BUSINESS_ERROR_TYPE
from domain.order.messages import PickRequest
from domain.order.status import OrderStatus, Step
from domain.order.view import OrderRef
from domain.reasons import WaitingReason
from domain.warehouse import WarehouseAddress, WarehouseLine, WarehouseOrder
from starter.resume_api import resume_waiting
from tests.support import eventually
from tests.warehouse.receiver import SECRET, FlakyWarehouse
from tests.workflows.helpers import LAMP, MUG, keep_history, place_and_start, view, wait_for, wait_for_attention
from workers.actions import count_actions
from workers.http import serve_in_thread
from workers.settings import WarehouseSettings


def _pushing_to(url: str) -> WarehouseSettings:
    return WarehouseSettings(url=f"{url}/orders", secret=SecretStr(SECRET))


async def test_a_push_refused_twice_is_retried_until_acknowledged_and_never_sent_again(
    dev_env, engines, bol, task_queue
):
    warehouse = FlakyWarehouse(failures=2)
    with serve_in_thread(warehouse.app()) as server:
        engine = engines.build(task_queue, warehouse=_pushing_to(server.url))
        async with engine.worker(dev_env.client):
            order, handle = await place_and_start(dev_env.client, bol, task_queue, [{**MUG, "quantity": 2}])
            await wait_for(handle, OrderStatus.AWAITING_PICK, timeout=30)

            # The first try rides on accept; the retries are an activity of their own.
            assert [p.answered for p in warehouse.pushes] == [503, 503, 200]
            actions = count_actions(await handle.fetch_history()).by_kind
            assert actions["activity_attempt"] == 2
            assert all(p.signed for p in warehouse.pushes)
            assert {p.key for p in warehouse.pushes} == {f"{handle.id}:v1"}
            pushed = warehouse.acknowledged()[0].body
            assert (pushed["order_id"], pushed["version"]) == (handle.id, 1)
            assert [(line["sku"], line["quantity"]) for line in pushed["lines"]] == [("MUG-BLUE", 2)]
            assert pushed["ship_to"]["country_code"]

            # A worker that died right after the ack runs accept again: the
            # warehouse hears nothing more, and nothing is reserved twice.
            activities = OrderActivities(
                engine.channels,
                engine.inventory,
                engine.ledger,
                engine.rules,
                engine.notifier(dev_env.client),
                engine.warehouse,
            )
            ref = OrderRef(channel="bol", marketplace=Marketplace.BOL, marketplace_order_id=order["orderId"])
            await ActivityEnvironment().run(activities.accept_order, ref)
            await ActivityEnvironment().run(activities.deliver_to_warehouse, f"{handle.id}:v1")
            assert len(warehouse.pushes) == 3
            assert engine.inventory.stock("MUG-BLUE").reserved == 2
        await engine.aclose()


async def test_pushing_costs_no_extra_action_and_no_url_pushes_nothing(dev_env, engines, bol, task_queue):
    warehouse = FlakyWarehouse()
    with serve_in_thread(warehouse.app()) as server:
        costs = []
        for settings in (None, _pushing_to(server.url)):
            engine = engines.build(task_queue, warehouse=settings)
            async with engine.worker(dev_env.client):
                _, handle = await place_and_start(dev_env.client, bol, task_queue, [{**LAMP, "quantity": 1}])
                await wait_for(handle, OrderStatus.AWAITING_PICK, timeout=30)
                history = await handle.fetch_history()
                cost = count_actions(history).breakdown()
                # How markers group into workflow tasks depends on timing, not on the push: count the markers.
                cost.pop("marker_workflow_task", None)
                cost["markers"] = sum(e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED for e in history.events)
                costs.append(cost)
                await handle.terminate("test over")
            await engine.aclose()
            if settings is None:
                assert warehouse.pushes == []
    assert len(warehouse.acknowledged()) == 1
    assert costs[0] == costs[1]


def _deliveries(tmp_path: Path) -> WarehouseDeliveries:
    deliveries = WarehouseDeliveries(Database(f"sqlite:///{tmp_path / 'store.db'}"))
    deliveries.db.create_schema()
    return deliveries


def _order(order_id: str = "order:bol:1") -> WarehouseOrder:
    return WarehouseOrder(
        order_id=order_id,
        version=1,
        channel="bol",
        marketplace_order_id=order_id.rsplit(":", 1)[-1],
        placed_at=datetime.now(UTC),
        lines=[WarehouseLine(line_id="1", ean="8710103917885", quantity=1)],
        ship_to=WarehouseAddress(name="A", street="B 1", zip_code="1000AA", city="C", country_code="NL"),
    )


async def test_a_refused_push_names_the_warehouse_without_credentials_in_its_url(tmp_path):
    warehouse = FlakyWarehouse(failures=1)
    with serve_in_thread(warehouse.app()) as server:
        host = server.url.removeprefix("http://")
        pusher = WarehousePusher(f"http://wms:pw@{host}/orders?token=abc", SecretStr(SECRET), _deliveries(tmp_path))
        order = _order()
        with pytest.raises(ApplicationError) as refused:
            await pusher.push(order)
        assert refused.value.message.startswith(f"warehouse at http://{host}/orders answered 503, not 2xx")
        assert await pusher.push(order) is True
        assert await pusher.push(order) is False
        await pusher.aclose()
    assert [p.answered for p in warehouse.pushes] == [503, 200]


async def test_a_busy_warehouse_is_asked_again_after_its_delay_and_a_refusing_one_is_not(tmp_path):
    busy = FlakyWarehouse(failures=1, status=429, headers={"Retry-After": "7"})
    refusing = FlakyWarehouse(failures=1, status=422, answer={"detail": "SKU MUG-BLUE is not set up here"})
    errors = []
    for warehouse in (busy, refusing):
        with serve_in_thread(warehouse.app()) as server:
            pusher = WarehousePusher(f"{server.url}/orders", SecretStr(SECRET), _deliveries(tmp_path))
            with pytest.raises(ApplicationError) as raised:
                await pusher.push(_order(f"order:bol:{warehouse.status}"))
            errors.append(raised.value)
            await pusher.aclose()
    waited, refused = errors
    assert (waited.type, waited.non_retryable, waited.next_retry_delay) == (
        NOT_ACKNOWLEDGED,
        False,
        timedelta(seconds=7),
    )
    assert (refused.type, refused.non_retryable) == (BUSINESS_ERROR_TYPE, True)
    assert "refused order:bol:422:v1: 422" in refused.message
    assert "SKU MUG-BLUE is not set up here" in refused.message


async def test_a_warehouse_that_refuses_the_order_flags_it_and_resuming_pushes_again(dev_env, engines, bol, task_queue):
    warehouse = FlakyWarehouse(failures=2, status=422, answer={"detail": "SKU MUG-BLUE is not set up here"})
    with serve_in_thread(warehouse.app()) as server:
        engine = engines.build(task_queue, warehouse=_pushing_to(server.url))
        async with engine.worker(dev_env.client):
            order, handle = await place_and_start(dev_env.client, bol, task_queue, [{**MUG, "quantity": 1}])
            flagged = await wait_for_attention(handle)
            assert flagged.status == OrderStatus.RECEIVED
            assert "SKU MUG-BLUE is not set up here" in flagged.attention[Step.WAREHOUSE]
            # Refused on accept's try and on the delivery's first: asking again would get the same answer.
            assert [p.answered for p in warehouse.pushes] == [422, 422]

            async def resumed() -> bool:  # once the flag reached the visibility store
                outcome = await resume_waiting(dev_env.client, WaitingReason.WAREHOUSE, engine.inventory, "a test")
                return order["orderId"] in outcome.resumed

            await eventually(resumed)
            await wait_for(handle, OrderStatus.AWAITING_PICK)
            await keep_history(handle, "order-warehouse-refused-then-resume")
            assert [p.answered for p in warehouse.pushes] == [422, 422, 200]
            assert any("the warehouse is back (a test)" in entry for entry in (await view(handle)).history)
            await handle.terminate("test over")
        await engine.aclose()


async def test_a_warehouse_down_for_half_an_hour_flags_the_order(dev_env, engines, task_queue):
    warehouse = FlakyWarehouse(failures=99)
    with serve_in_thread(warehouse.app()) as server:
        engine = engines.build(task_queue, warehouse=_pushing_to(server.url))
        assert engine.warehouse is not None, "a warehouse is configured"
        await engine.warehouse.deliveries.db.run(
            engine.warehouse.deliveries.stage, "order:bol:1:v1", _order().model_dump_json()
        )
        activities = engine.order_activities(dev_env.client)
        errors = []
        for attempt in (WAREHOUSE_DELIVERY_ATTEMPTS - 1, WAREHOUSE_DELIVERY_ATTEMPTS):
            env = ActivityEnvironment()
            env.info = dataclasses.replace(env.info, attempt=attempt)
            with pytest.raises(ApplicationError) as raised:
                await env.run(activities.deliver_to_warehouse, "order:bol:1:v1")
            errors.append(raised.value)
        await engine.aclose()
    still_retried, given_up = errors
    assert (still_retried.type, still_retried.non_retryable) == (NOT_ACKNOWLEDGED, False)
    assert (given_up.type, given_up.non_retryable) == (BUSINESS_ERROR_TYPE, True)
    assert f"in {WAREHOUSE_DELIVERY_ATTEMPTS} tries" in given_up.message
    assert "ordertide orders resume --reason warehouse" in given_up.message


async def test_an_order_whose_push_was_retried_ships_and_closes(time_env, engines, bol, task_queue):
    warehouse = FlakyWarehouse(failures=1)
    with serve_in_thread(warehouse.app()) as server:
        engine = engines.build(task_queue, warehouse=_pushing_to(server.url))
        async with engine.worker(time_env.client):
            _, handle = await place_and_start(time_env.client, bol, task_queue, [{**MUG, "quantity": 1}])
            await wait_for(handle, OrderStatus.AWAITING_PICK, timeout=30)
            await handle.execute_update("pick", PickRequest(track_and_trace="3SBOL0000009"))
            closed = await handle.result()
            await keep_history(handle, "order-warehouse-push-retried")
        await engine.aclose()
    assert closed.status == OrderStatus.CLOSED
    assert [p.answered for p in warehouse.pushes] == [503, 200]
