"""One trace from the intake poll to every marketplace request of an order,
tagged with channel and order id, carrying no personal data."""

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import httpx
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from temporalio.client import Client

from domain.ids import intake_workflow_id, order_workflow_id
from domain.order.messages import PickRequest
from domain.order.status import OrderStatus
from starter.demo_catalog import seed_demo_catalog
from tests.observability.spans import capture_spans
from tests.support import SandboxedBol, bol_channel, eventually
from tests.workflows.helpers import MUG, wait_for
from workers.settings import Settings
from workers.telemetry import TelemetrySettings, client_interceptors
from workers.temporal_client import data_converter
from workers.worker import Engine, ensure_intake
from workflows.order import OrderWorkflow


def _attributes(span: ReadableSpan) -> Mapping[str, Any]:
    return span.attributes or {}


async def test_one_order_is_one_trace_from_intake_to_marketplace_requests(dev_env, bol_server, tmp_path, task_queue):
    exporter = capture_spans()
    client = await Client.connect(
        dev_env.client.service_client.config.target_host,
        data_converter=data_converter(),
        interceptors=client_interceptors(TelemetrySettings(traces="console")),
    )
    # Over real HTTP: the instrumentation wraps httpx's network transports.
    settings = Settings(
        data_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'store.db'}",
        task_queue=task_queue,
        channels={"bol": bol_channel(bol_server.url, poll_interval=timedelta(milliseconds=300))},
    )
    engine = Engine.build(settings)
    seed_demo_catalog(engine.inventory)
    bol = SandboxedBol(app=None, transport=httpx.AsyncHTTPTransport(), url=bol_server.url)
    async with engine.worker(client):
        await ensure_intake(client, settings)
        try:
            order = await bol.place_order([{**MUG, "quantity": 1}])
            handle = client.get_workflow_handle(order_workflow_id("bol", order["orderId"]))

            async def started() -> bool:
                try:
                    return (await handle.query(OrderWorkflow.view)).status == OrderStatus.AWAITING_PICK
                except Exception:
                    return False

            await eventually(started, timeout=30)
            await handle.execute_update(OrderWorkflow.pick, PickRequest(track_and_trace="3SBOL0000123"))
            await wait_for(handle, OrderStatus.SHIPPED)
        finally:
            await client.get_workflow_handle(intake_workflow_id("bol")).terminate("test over")
    await engine.aclose()
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)  # the SDK's, set by install_tracing
    provider.force_flush()

    spans = exporter.get_finished_spans()
    by_id = {span.context.span_id: span for span in spans}
    [handover] = [
        s for s in spans if s.name == "HandOverOrder" and _attributes(s).get("ordertide.order_id") == order["orderId"]
    ]
    in_trace = [s for s in spans if s.context.trace_id == handover.context.trace_id]
    names = {s.name for s in in_trace}
    # Intake accepts the order before starting its workflow (issue 12).
    assert {"AcceptOrder", "StartWorkflow:OrderWorkflow", "RunActivity:ship_lines"} <= names
    assert "RunActivity:accept_order" not in names

    def ancestors(span):
        while span.parent is not None and span.parent.span_id in by_id:
            span = by_id[span.parent.span_id]
            yield span

    shipment_calls = [
        s
        for s in in_trace
        if s.name == "POST"
        and "/retailer/shipments" in str(_attributes(s).get("url.full", _attributes(s).get("http.url", "")))
    ]
    assert shipment_calls, [(s.name, dict(_attributes(s))) for s in in_trace if "Activity" not in s.name][:6]
    chain = [a.name for a in ancestors(shipment_calls[0])]
    assert "RunActivity:ship_lines" in chain and "HandOverOrder" in chain

    order_read = [
        s for s in in_trace if s.name == "GET" and f"/retailer/orders/{order['orderId']}" in str(_attributes(s))
    ]
    assert order_read and any(a.name == "AcceptOrder" for a in ancestors(order_read[0]))

    for name in ("AcceptOrder", "RunActivity:ship_lines"):
        [span] = [s for s in in_trace if s.name == name]
        assert _attributes(span)["ordertide.order_id"] == order["orderId"]
        assert _attributes(span)["ordertide.channel"] == "bol"

    buyer = order["shipmentDetails"]
    personal = {buyer["surname"], buyer["streetName"], buyer["email"], buyer["zipCode"]}
    recorded = json.dumps([dict(s.attributes or {}) for s in spans] + [s.name for s in spans])
    assert not [value for value in personal if value and value in recorded]
