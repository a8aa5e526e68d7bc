"""Span attributes that let ops find an order's trace: channel and order id,
never personal data. A no-op when tracing is off."""

from opentelemetry import trace

from domain.order.view import OrderRef


def tag_order(channel: str, marketplace_order_id: str) -> None:
    span = trace.get_current_span()
    span.set_attribute("ordertide.channel", channel)
    span.set_attribute("ordertide.order_id", marketplace_order_id)


def tag(ref: OrderRef) -> None:
    tag_order(ref.channel, ref.marketplace_order_id)
