"""The Kaufland Marketplace Seller API v2 sandbox as an ASGI app, served
under /v2 like sellerapi.kaufland.com/v2."""

from collections.abc import Callable
from datetime import datetime

from starlette.applications import Starlette

from sandbox.kaufland.config import KauflandSandboxConfig
from sandbox.kaufland.routes import aftersales, aftersales_control, control, labels, meta, orders, subscriptions, units
from sandbox.kaufland.state import KauflandSandbox


def create_app(config: KauflandSandboxConfig | None = None, clock: Callable[[], datetime] | None = None) -> Starlette:
    """`clock` (timezone-aware) drives timestamps and the signature's
    staleness check; tests pass a fake one to move time without sleeping."""
    app = Starlette(
        routes=[
            # One module per concern of the API (units, returns, tickets... join here).
            *orders.routes,
            *aftersales.routes,
            *subscriptions.routes,
            *units.routes,
            *labels.routes,
            *meta.routes,
            *control.routes,
            *aftersales_control.routes,
        ]
    )
    app.state.sandbox = KauflandSandbox(config, clock)
    return app
