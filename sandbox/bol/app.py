"""The bol.com Retailer API v10 sandbox as an ASGI app."""

from collections.abc import Callable
from datetime import datetime

from starlette.applications import Starlette

from sandbox.bol.config import BolSandboxConfig
from sandbox.bol.routes import (
    control,
    labels,
    offers,
    orders,
    process_status,
    pushes,
    returns,
    shipments,
    subscriptions,
    token,
    unknown,
)
from sandbox.bol.state import BolSandbox


def create_app(config: BolSandboxConfig | None = None, clock: Callable[[], datetime] | None = None) -> Starlette:
    """`clock` (timezone-aware) drives token expiry, rate-limit windows and
    process completion; tests pass a fake one to move time without sleeping."""
    app = Starlette(
        routes=[
            *token.routes,
            *orders.routes,
            *shipments.routes,
            *labels.routes,
            *returns.routes,
            *offers.routes,
            *process_status.routes,
            *subscriptions.routes,
            # Last: only what no real endpoint matched.
            *unknown.routes,
            *control.routes,
            *pushes.routes,
        ]
    )
    app.state.sandbox = BolSandbox(config, clock)
    return app
