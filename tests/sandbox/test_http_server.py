"""serve_in_thread: the sandbox over real HTTP, stopped and started again on
the same port as a marketplace outage."""

import threading
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette

from sandbox.bol import BolSandboxConfig, create_app
from tests.sandbox.helpers import MUG, BolClient
from workers.http import ServerHandle, serve_in_thread


@pytest.fixture
def server() -> Iterator[ServerHandle]:
    with serve_in_thread(create_app(BolSandboxConfig(process_delay_seconds=0))) as handle:
        yield handle


async def test_the_retailer_api_over_real_http(server: ServerHandle):
    assert server.url == f"http://127.0.0.1:{server.port}" and server.port > 0
    async with httpx.AsyncClient(base_url=server.url) as http:
        order = (await http.post("/_sandbox/orders", json={"items": [{**MUG, "quantity": 1}]})).json()
        bol = BolClient(http)
        accepted = await bol.ship({"orderItemId": order["orderItems"][0]["orderItemId"]})
        process = await bol.process(accepted.json()["processStatusId"])

    assert process["status"] == "SUCCESS"
    assert process["links"][0]["href"] == f"{server.url}/shared/process-status/{process['processStatusId']}"
    # The test thread reads the state the server thread changed.
    app = server.app
    assert isinstance(app, Starlette)
    assert len(app.state.sandbox.shipments()) == 1


async def test_a_stopped_server_refuses_connections_and_restarts_on_the_same_port(server: ServerHandle):
    port = server.port
    server.stop()
    async with httpx.AsyncClient(base_url=server.url) as http:
        with pytest.raises(httpx.ConnectError):
            await http.get("/_sandbox/shipments")

        server.start()

        assert server.port == port
        assert (await http.get("/_sandbox/shipments")).status_code == 200


def test_the_server_thread_is_a_daemon_and_stop_ends_it(server: ServerHandle):
    threads = [t for t in threading.enumerate() if t.name == f"http-server-{server.port}"]
    assert len(threads) == 1 and threads[0].daemon
    server.stop()
    assert not threads[0].is_alive()
    server.stop()  # stopping twice is harmless
