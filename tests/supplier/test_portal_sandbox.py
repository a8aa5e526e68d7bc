"""The supplier portal sandbox holds adapters to the portal's rules: the API
key, a note with every status update (the retailer is e-mailed it), only
the order's own lines, each update recorded once, and a portal without a
status API refusing one."""

import httpx

from tests.supplier.support import MUG, Portal


async def api(portal: Portal, method: str, path: str, body: dict | None = None, key: str = "sandbox"):
    async with httpx.AsyncClient(transport=portal.transport, base_url="http://portal.sandbox") as http:
        return await http.request(method, path, json=body, headers={"X-Api-Key": key})


async def test_status_updates_follow_the_portals_rules():
    portal = Portal.start()
    number = (await portal.place([MUG, MUG | {"sku": "MUG-RED", "ean": None}], push=False))["order_number"]
    status = f"/api/v1/orders/{number}/status"
    assert (await api(portal, "POST", status, {"status": "cancelled", "note": "x"}, key="wrong")).status_code == 401
    no_note = await api(portal, "POST", status, {"status": "cancelled", "lines": [{"line": "1", "quantity": 1}]})
    assert no_note.status_code == 422 and no_note.json()["field"] == "note"
    other_line = await api(portal, "POST", status, {"status": "cancelled", "note": "n", "lines": [{"line": "9"}]})
    assert other_line.status_code == 422 and "has no line 9" in other_line.json()["error"]
    update = {
        "update_id": "u-1",
        "status": "cancelled",
        "note": "Out of stock.",
        "lines": [{"line": "1", "quantity": 1}],
    }
    for _ in range(2):  # sent again after a lost answer
        assert (await api(portal, "POST", status, update)).json() == {"order_number": number, "status": "processing"}
    recorded = await portal.order(number)
    assert [(u["status"], u["note"], u["by"]) for u in recorded["history"]] == [("cancelled", "Out of stock.", "api")]
    assert (await api(portal, "GET", "/api/v1/orders/PO-NOPE")).status_code == 404


async def test_a_portal_updated_by_hand_refuses_status_updates_over_its_api():
    portal = Portal.start(status_api=False)
    number = (await portal.place([MUG], push=False))["order_number"]
    refused = await api(portal, "POST", f"/api/v1/orders/{number}/status", {"status": "cancelled", "note": "n"})
    assert refused.status_code == 405 and "ORDER HISTORY" in refused.json()["error"]
    by_hand = await portal.call(
        "POST", f"/_sandbox/orders/{number}/manual-status", {"status": "cancelled", "note": "n"}
    )
    assert by_hand.json()["status"] == "cancelled"
