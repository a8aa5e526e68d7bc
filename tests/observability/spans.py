"""Capturing spans in a test, whichever test installed tracing first: the
process has one tracer provider, and each test adds its own exporter to it."""

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from workers.telemetry import TelemetrySettings, install_tracing


def capture_spans() -> InMemorySpanExporter:
    install_tracing(TelemetrySettings(), exporter=InMemorySpanExporter())
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)  # the SDK's, set by install_tracing
    spans = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    return spans
