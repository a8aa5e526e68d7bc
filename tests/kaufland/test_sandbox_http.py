"""The sandbox over real HTTP (as `ordertide sandbox kaufland --port P`
serves it), where the signed URL carries host and port: the adapter's
signatures hold there too."""

from activities.marketplaces.kaufland.client import KauflandHttp
from sandbox.kaufland.app import create_app
from tests.support import kaufland_channel
from workers.http import serve_in_thread


async def test_signed_requests_hold_over_real_http_with_a_port_in_the_url():
    server = serve_in_thread(create_app())
    http = KauflandHttp(kaufland_channel(f"{server.url}/v2"))
    try:
        assert (await http.call("GET", "/status/ping")).json()["data"]["message"] == "pong"
        units = await http.call("GET", "/order-units", params={"storefront": "de", "status": ["need_to_be_sent"]})
        assert units.json()["data"] == []
    finally:
        await http.aclose()
        server.stop()
