"""Several supplier accounts on one portal sandbox, one per channel, each
under its own path prefix (`/<account>/api/v1/…`, `/<account>/_sandbox/…`),
so `ordertide run` serves every intake mode from one port and no two
channels read each other's orders."""

import contextlib
from collections.abc import AsyncIterator, Callable
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

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # Mounted apps get no lifespan of their own: each account's (its SFTP
        # and mail servers, its pusher) runs inside the portal's.
        async with contextlib.AsyncExitStack() as stack:
            for app in apps.values():
                await stack.enter_async_context(app.router.lifespan_context(app))
            yield

    portal = Starlette(routes=[Mount(f"/{name}", app=app) for name, app in apps.items()], lifespan=lifespan)
    portal.state.accounts = {name: app.state.portal for name, app in apps.items()}
    return portal
