"""Tracing and metrics, chosen by configuration (off by default).

Traces: the Temporal tracing interceptor on client and worker carries one
trace from the intake poll through the order workflow to each marketplace
request (httpx instrumentation). Spans carry the channel and the order id,
never personal data. Metrics: the Temporal runtime's own, on a Prometheus
endpoint."""

from typing import Literal

from opentelemetry import trace
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from pydantic import BaseModel
from temporalio.client import Interceptor
from temporalio.contrib.opentelemetry import TracingInterceptor
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig


class TelemetrySettings(BaseModel):
    traces: Literal["off", "console", "otlp"] = "off"
    otlp_endpoint: str = "http://localhost:4318/v1/traces"
    # e.g. "0.0.0.0:9464": worker metrics for Prometheus to scrape.
    metrics_bind: str | None = None
    service_name: str = "ordertide"


_installed = False


def install_tracing(settings: TelemetrySettings, exporter: SpanExporter | None = None) -> bool:
    """Set the process's tracer provider once; False when tracing is off."""
    global _installed
    if settings.traces == "off" and exporter is None:
        return False
    if _installed:
        return True
    if exporter is None:
        if settings.traces == "console":
            exporter = ConsoleSpanExporter()
        else:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            exporter = OTLPSpanExporter(endpoint=settings.otlp_endpoint)
    provider = TracerProvider(resource=Resource.create({"service.name": settings.service_name}))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    # Only the URL and status of marketplace calls are recorded, never bodies.
    HTTPXClientInstrumentor().instrument()
    _installed = True
    return True


def client_interceptors(settings: TelemetrySettings) -> list[Interceptor]:
    return [TracingInterceptor()] if install_tracing(settings) else []


def runtime(settings: TelemetrySettings) -> Runtime | None:
    if not settings.metrics_bind:
        return None
    return metrics_runtime(settings.metrics_bind)


def metrics_runtime(bind: str) -> Runtime:
    """A Temporal runtime serving its metrics for Prometheus on `bind`."""
    return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=bind)))
