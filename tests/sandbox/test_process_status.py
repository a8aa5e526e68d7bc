"""GET /shared/process-status/{id}, GET /shared/process-status and the bulk POST."""

from tests.sandbox.helpers import MUG, BolClient, FakeClock, client_for, sandbox_app


async def _shipments_of_one_item(bol, sandbox, count: int) -> tuple[str, list[str]]:
    order = sandbox.place_order(items=[{**MUG, "quantity": count}])
    item = order["orderItems"][0]["orderItemId"]
    ids = [(await bol.ship({"orderItemId": item, "quantity": 1})).json()["processStatusId"] for _ in range(count)]
    return item, ids


async def test_processes_of_an_entity_are_listed_newest_first(bol, sandbox, clock: FakeClock):
    item, ids = await _shipments_of_one_item(bol, sandbox, 3)

    response = await bol.get("/shared/process-status", **{"entity-id": item, "event-type": "CREATE_SHIPMENT"})
    other_event = await bol.get("/shared/process-status", **{"entity-id": item, "event-type": "CANCEL_ORDER"})

    assert response.status_code == 200
    assert [p["processStatusId"] for p in response.json()["processStatuses"]] == ids[::-1]
    assert {p["status"] for p in response.json()["processStatuses"]} == {"PENDING"}
    assert other_event.json() == {"processStatuses": []}
    clock.advance(1)
    done = await bol.get("/shared/process-status", **{"entity-id": item, "event-type": "CREATE_SHIPMENT"})
    assert {p["status"] for p in done.json()["processStatuses"]} == {"SUCCESS"}


async def test_entity_lists_are_paged(clock: FakeClock):
    async with client_for(app := sandbox_app(clock, page_size=2)) as http:
        bol = BolClient(http)
        item, ids = await _shipments_of_one_item(bol, app.state.sandbox, 3)
        query = {"entity-id": item, "event-type": "CREATE_SHIPMENT"}
        pages = [
            (await bol.get("/shared/process-status", **query, page=n)).json()["processStatuses"] for n in (1, 2, 3)
        ]
    assert [[p["processStatusId"] for p in page] for page in pages] == [ids[:0:-1], ids[:1], []]


async def test_entity_lookups_need_an_entity_and_a_known_event_type(bol):
    missing = await bol.get("/shared/process-status", **{"entity-id": "1"})
    unknown = await bol.get("/shared/process-status", **{"entity-id": "1", "event-type": "SHIP_IT"})

    assert missing.status_code == 400 and missing.json()["violations"][0]["name"] == "event-type"
    assert unknown.status_code == 400 and "allowed values: CREATE_SHIPMENT" in unknown.json()["violations"][0]["reason"]


async def test_bulk_lookup_returns_the_known_ids_only(bol, sandbox, clock: FakeClock):
    _, ids = await _shipments_of_one_item(bol, sandbox, 2)
    clock.advance(1)
    body = {"processStatusQueries": [{"processStatusId": pid} for pid in [ids[1], "999", ids[0]]]}

    response = await bol.send("POST", "/shared/process-status", body)

    assert response.status_code == 200
    assert [(p["processStatusId"], p["status"]) for p in response.json()["processStatuses"]] == [
        (ids[1], "SUCCESS"),
        (ids[0], "SUCCESS"),
    ]


async def test_bulk_lookup_takes_at_most_1000_ids(bol):
    body = {"processStatusQueries": [{"processStatusId": str(n)} for n in range(1001)]}
    response = await bol.send("POST", "/shared/process-status", body)
    assert response.status_code == 400 and response.json()["violations"][0]["name"] == "processStatusQueries"


async def test_an_unknown_process_status_is_404(bol):
    response = await bol.get("/shared/process-status/1")
    assert response.status_code == 404 and response.json()["status"] == 404


async def test_completion_follows_the_configured_delay(clock: FakeClock):
    async with client_for(sandbox_app(clock, process_delay_seconds=30)) as http:
        bol = BolClient(http)
        order = (await http.post("/_sandbox/orders", json={"items": [{**MUG, "quantity": 1}]})).json()
        pid = (await bol.ship({"orderItemId": order["orderItems"][0]["orderItemId"]})).json()["processStatusId"]
        clock.advance(29)
        assert (await bol.process(pid))["status"] == "PENDING"
        clock.advance(1)
        assert (await bol.process(pid))["status"] == "SUCCESS"
