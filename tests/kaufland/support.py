"""Kaufland sandboxes for tests."""

from starlette.applications import Starlette
from starlette.routing import Mount

from sandbox.kaufland.import_files import ImportQueue
from sandbox.kaufland.routes_units import unit_routes
from sandbox.kaufland.units import UnitBook


def kaufland_sandbox_app() -> Starlette:
    book = UnitBook()
    return Starlette(routes=[Mount("/v2", routes=unit_routes(book, ImportQueue(book, step_seconds=0.01)))])
