"""X-RateLimit-* headers, per-endpoint budgets and 429s."""

from tests.sandbox.helpers import MUG, BolClient, FakeClock, client_for, sandbox_app

ORDERS_RULE = {"GET /retailer/orders": {"limit": 2, "window_seconds": 10}}


async def test_every_api_response_carries_rate_limit_headers_and_a_request_id(bol):
    first = await bol.get("/retailer/orders")
    second = await bol.get("/retailer/orders")
    unauthorized = await bol.http.get("/retailer/orders")

    for response in (first, second, unauthorized):
        assert response.headers["X-RateLimit-Limit"] == "200"
        assert response.headers["X-RateLimit-Reset"] == "1"
        assert response.headers["X-Request-ID"]
    assert [r.headers["X-RateLimit-Remaining"] for r in (first, second)] == ["199", "198"]
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


async def test_an_endpoint_over_its_budget_answers_429_until_the_window_ends(clock: FakeClock):
    async with client_for(sandbox_app(clock, rate_limits=ORDERS_RULE)) as http:
        bol = BolClient(http)
        await http.post("/_sandbox/orders", json={"items": [{**MUG, "quantity": 1}], "orderId": "1000000001"})
        assert [(await bol.get("/retailer/orders")).status_code for _ in range(2)] == [200, 200]
        clock.advance(3)

        limited = await bol.get("/retailer/orders")
        other_endpoint = await bol.get("/retailer/orders/1000000001")
        clock.advance(7)
        after_window = await bol.get("/retailer/orders")

    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "7"
    assert limited.json() == {
        "title": "Too Many Requests",
        "status": 429,
        "detail": "Too many requests, retry in 7 seconds.",
    }
    assert (limited.headers["X-RateLimit-Limit"], limited.headers["X-RateLimit-Remaining"]) == ("2", "0")
    assert limited.headers["X-RateLimit-Reset"] == "7"
    assert other_endpoint.status_code == 200  # each endpoint has its own budget
    assert after_window.status_code == 200 and after_window.headers["X-RateLimit-Remaining"] == "1"


async def test_limits_can_be_changed_at_runtime(bol, http):
    updated = await http.put("/_sandbox/config", json={"rate_limits": ORDERS_RULE})

    assert updated.status_code == 200
    assert set(updated.json()["rate_limits"]) == {"*", "GET /retailer/orders"}
    assert [(await bol.get("/retailer/orders")).status_code for _ in range(3)] == [200, 200, 429]


async def test_an_injected_429_with_retry_after(bol, sandbox):
    sandbox.add_fault(path="/retailer/orders", kind="rate_limit", retry_after=3, times=1)

    limited = await bol.get("/retailer/orders")

    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "3"
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert limited.json()["detail"] == "Too many requests, retry in 3 seconds."
    assert (await bol.get("/retailer/orders")).status_code == 200


async def test_an_injected_429_without_retry_after(bol, http):
    fault = {"path": "/retailer", "kind": "rate_limit", "retryAfter": None, "times": 1}
    assert (await http.post("/_sandbox/faults", json=fault)).status_code == 201

    limited = await bol.get("/retailer/orders")

    assert limited.status_code == 429
    assert "Retry-After" not in limited.headers
    assert "X-RateLimit-Limit" in limited.headers
    assert limited.json() == {"title": "Too Many Requests", "status": 429, "detail": "Too many requests."}
