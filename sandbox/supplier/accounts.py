"""Several supplier accounts on one portal sandbox, one per channel, each
under its own path prefix (`/<account>/api/v1/…`, `/<account>/_sandbox/…`),
so `ordertide run` serves every intake mode from one port and no two
channels read each other's orders."""

from collections.abc import Callable
from datetime import datetime

import httpx
from starlette.applications import Starlette
from starlette.routing import Mount

from sandbox.supplier.app import create_app
from sandbox.supplier.config import SupplierSandboxConfig


def create_portal(
    accounts: dict[str, SupplierSandboxConfig],
    clock: Callable[[], datetime] | None = None,
    push_transport: httpx.AsyncBaseTransport | None = None,
) -> Starlette:
    apps = {name: create_app(config, clock, push_transport) for name, config in accounts.items()}
    portal = Starlette(routes=[Mount(f"/{name}", app=app) for name, app in apps.items()])
    portal.state.accounts = {name: app.state.portal for name, app in apps.items()}
    return portal
