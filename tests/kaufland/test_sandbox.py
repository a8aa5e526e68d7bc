"""The Kaufland sandbox's own rules and its control API: paging limits,
refusals naming the field, faults and holds as in the bol sandbox."""

import asyncio

import pytest

from activities.marketplaces.kaufland.client import KauflandHttp
from domain.errors import BusinessError, MarketplaceUnavailable
from tests.support import SandboxedKaufland, eventually, kaufland_channel


@pytest.fixture
async def http(kaufland: SandboxedKaufland):
    client = KauflandHttp(kaufland_channel(kaufland.api_url), transport=kaufland.transport)
    yield client
    await client.aclose()


async def test_units_page_by_offset_up_to_kauflands_limit_of_100(kaufland, http):
    await kaufland.place_order([{"ean": "8710103917885", "quantity": 5}])

    page = (await http.call("GET", "/order-units", params={"limit": 2, "offset": 4})).json()
    with pytest.raises(BusinessError) as refused:
        await http.call("GET", "/order-units", params={"limit": 101})

    assert len(page["data"]) == 1 and page["pagination"] == {"offset": 4, "limit": 2, "total": 5}
    assert [v.name for v in refused.value.violations] == ["limit"]


async def test_faults_are_added_listed_used_up_and_cleared(kaufland, http):
    fault = await kaufland.post(
        "/_sandbox/faults", {"path": "/v2/carriers", "kind": "status", "status": 502, "times": 1}
    )
    assert [f["id"] for f in await kaufland.get("/_sandbox/faults")] == [fault["id"]]

    with pytest.raises(MarketplaceUnavailable):
        await http.call("GET", "/carriers")
    await http.call("GET", "/carriers")
    await kaufland.post("/_sandbox/faults", {"path": "/v2/", "kind": "rate_limit"})
    async with kaufland.control() as control:
        assert (await control.delete("/_sandbox/faults")).status_code == 204

    assert await kaufland.get("/_sandbox/faults") == []
    assert [r["status"] for r in await kaufland.get("/_sandbox/requests")] == [502, 200]


async def test_a_held_send_is_done_but_answered_only_when_released(kaufland, http):
    order = await kaufland.place_order([{"ean": "8710103917885"}])
    unit = order["order_units"][0]["id_order_unit"]
    await kaufland.post("/_sandbox/faults", {"path": f"/v2/order-units/{unit}/send", "kind": "hold", "times": 1})

    send = asyncio.create_task(
        http.call("PATCH", f"/order-units/{unit}/send", json_body={"carrier_code": "DHL", "tracking_numbers": "1"})
    )
    await eventually(lambda: kaufland.get("/_sandbox/holds"), interval=0.01)
    assert (await kaufland.get(f"/_sandbox/order-units/{unit}"))["status"] == "sent"
    assert not send.done()
    await kaufland.post("/_sandbox/holds/release")

    assert (await send).status_code == 204
