"""With a key configured, nothing Temporal stores is readable without it,
not even the message of a failure that quotes a buyer's record."""

import base64
import json
import logging

import httpx
from temporalio.client import Client

from domain.channels import Marketplace
from domain.order.messages import PickRequest
from domain.order.status import OrderStatus, Step
from tests.observability.spans import capture_spans
from tests.workflows.helpers import MUG, place_and_start, wait_for, wait_for_attention
from tests.workflows.markets import MUG as KAUFLAND_MUG
from tests.workflows.markets import KauflandMarket, start_order
from workers.codec import ENCODING, CodecKeys
from workers.telemetry import TelemetrySettings, client_interceptors
from workers.temporal_client import data_converter
from workflows.order import OrderWorkflow

# Stored in the clear by design: search attributes (ops filter on them; ours
# hold no personal data) and the SDK's own markers (local-activity bookkeeping,
# `workflow.patched` ids), and the trace context header (a trace id). A local
# activity's *result* is still encrypted.
UNENCRYPTED = (
    "searchAttributes",
    "header/fields/_tracer-data",
    "markerRecordedEventAttributes/details/data",
    "markerRecordedEventAttributes/details/patch-data",
)


def _payloads(node: object, found: list[dict], path: str = "") -> None:
    """Every payload (a {"metadata", "data"} object) in a history's JSON,
    except the ones Temporal keeps unencrypted by design."""
    if isinstance(node, dict):
        if "metadata" in node and "data" in node and not any(part in path for part in UNENCRYPTED):
            found.append(node)
        for key, value in node.items():
            _payloads(value, found, f"{path}/{key}")
    elif isinstance(node, list):
        for value in node:
            _payloads(value, found, path)


async def test_a_raw_history_holds_no_plaintext_personal_data(dev_env, engines, bol, task_queue):
    address = dev_env.client.service_client.config.target_host
    encrypted = await Client.connect(address, data_converter=data_converter(CodecKeys.generate()))
    engine = engines.build(task_queue)
    async with engine.worker(encrypted):
        order, handle = await place_and_start(encrypted, bol, task_queue, [{**MUG, "quantity": 1}])
        await wait_for(handle, OrderStatus.AWAITING_PICK)
        await handle.execute_update(OrderWorkflow.pick, PickRequest(track_and_trace="3SBOL0000456"))
        shipped = await wait_for(handle, OrderStatus.SHIPPED)
    assert shipped.lines[0].quantity_shipped == 1  # the codec round-trips for those who hold the key

    raw = await dev_env.client.get_workflow_handle(handle.id).fetch_history()  # no codec: what the server stores
    payloads: list[dict] = []
    _payloads(raw.to_json_dict(), payloads)
    # Input, accept's result, the pick, the shipment and its result, the view...
    # (9 since the transporter is chosen by the ship command: issue 12).
    assert len(payloads) >= 8
    assert {base64.b64decode(p["metadata"]["encoding"]) for p in payloads} == {ENCODING}

    stored = raw.to_json()
    buyer = order["shipmentDetails"]
    for personal in (buyer["surname"], buyer["streetName"], buyer["email"], buyer["city"], buyer["zipCode"]):
        assert personal not in stored
    assert "3SBOL0000456" not in stored  # even order data is sealed


class MalformedBuyer(httpx.AsyncBaseTransport):
    """The marketplace serves an order whose buyer record breaks the spec:
    the surname comes as a list."""

    def __init__(self, inner: httpx.AsyncBaseTransport):
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method != "GET" or not request.url.path.startswith("/retailer/orders/"):
            return response
        order = json.loads(await response.aread())
        order["shipmentDetails"]["surname"] = [order["shipmentDetails"]["surname"]]
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return httpx.Response(response.status_code, headers=headers, json=order)


async def test_a_run_that_fails_on_a_malformed_buyer_record_stores_no_plaintext_personal_data(
    dev_env, engines, bol, task_queue, caplog
):
    caplog.set_level(logging.DEBUG)
    spans = capture_spans()
    address = dev_env.client.service_client.config.target_host
    tracing = client_interceptors(TelemetrySettings(traces="console"))
    encrypted = await Client.connect(address, data_converter=data_converter(CodecKeys.generate()), interceptors=tracing)
    bol.transport = MalformedBuyer(bol.transport)
    engine = engines.build(task_queue)
    async with engine.worker(encrypted):
        order, handle = await place_and_start(encrypted, bol, task_queue, [{**MUG, "quantity": 1}])
        flagged = await wait_for_attention(handle)
    # Ops see which field is wrong, not whose order it is.
    reason = flagged.attention[Step.ACCEPT]
    assert "shipmentDetails.surname" in reason
    buyer = order["shipmentDetails"]
    assert buyer["surname"] not in reason

    raw = await dev_env.client.get_workflow_handle(handle.id).fetch_history()  # no codec: what the server stores
    stored = raw.to_json()
    assert "shipmentDetails" not in stored  # the failure's message and stack trace are sealed
    payloads: list[dict] = []
    _payloads(raw.to_json_dict(), payloads)
    assert {base64.b64decode(p["metadata"]["encoding"]) for p in payloads} == {ENCODING}

    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    caplog.clear()
    traced = json.dumps([json.loads(span.to_json()) for span in spans.get_finished_spans()])
    assert "shipmentDetails.surname" in logged + traced  # the failure was logged or traced…
    for personal in (buyer["surname"], buyer["firstName"], buyer["streetName"], buyer["email"], buyer["zipCode"]):
        assert personal not in stored
        assert personal not in logged  # …without the value that broke it
        assert personal not in traced


# What the garbled Kaufland record says about its buyer: made up, so that no
# other text in a log or span can hold it by chance.
KAUFLAND_SURNAME = "Quistenburg-Haverkamp"
KAUFLAND_EMAIL = "quistenburg.haverkamp@example.de"


class MalformedKauflandBuyer(httpx.AsyncBaseTransport):
    """Kaufland serves an order whose buyer record breaks the spec: the last
    name and the e-mail come as lists."""

    def __init__(self, inner: httpx.AsyncBaseTransport):
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method != "GET" or not request.url.path.startswith("/v2/orders/"):
            return response
        body = json.loads(await response.aread())
        order = body["data"]
        order["shipping_address"]["last_name"] = [KAUFLAND_SURNAME]
        order["buyer"]["email"] = [KAUFLAND_EMAIL]
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return httpx.Response(response.status_code, headers=headers, json=body)


async def test_a_kaufland_order_with_a_malformed_buyer_record_stores_logs_and_traces_no_personal_data(
    dev_env, engines, kaufland, task_queue, caplog
):
    caplog.set_level(logging.DEBUG)
    spans = capture_spans()
    address = dev_env.client.service_client.config.target_host
    tracing = client_interceptors(TelemetrySettings(traces="console"))
    encrypted = await Client.connect(address, data_converter=data_converter(CodecKeys.generate()), interceptors=tracing)
    kaufland.transport = MalformedKauflandBuyer(kaufland.transport)
    engine = engines.build(task_queue, marketplace=Marketplace.KAUFLAND)
    market = KauflandMarket(kaufland)
    async with engine.worker(encrypted):
        placed = await market.place([(KAUFLAND_MUG, 1)])
        handle = await start_order(encrypted, market, task_queue, placed)
        flagged = await wait_for_attention(handle)
    reason = flagged.attention[Step.ACCEPT]
    assert "shipping_address.last_name" in reason and "buyer.email" in reason  # ops see the fields…
    raw = await dev_env.client.get_workflow_handle(handle.id).fetch_history()
    stored = raw.to_json()
    assert "shipping_address" not in stored  # the failure's message and stack trace are sealed

    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    caplog.clear()
    traced = json.dumps([json.loads(span.to_json()) for span in spans.get_finished_spans()])
    assert "shipping_address.last_name" in logged + traced  # the failure was logged or traced…
    for personal in (KAUFLAND_SURNAME, KAUFLAND_EMAIL):
        assert personal not in reason
        assert personal not in stored
        assert personal not in logged  # …without the values that broke it
        assert personal not in traced
