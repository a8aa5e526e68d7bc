from datetime import UTC, datetime, timedelta

import httpx
import pytest

from activities.retry import backoff_delay, retry_after


@pytest.mark.parametrize(("attempt", "base"), [(0, 1.0), (1, 1.0), (2, 2.0), (4, 8.0), (7, 60.0), (50, 60.0)])
def test_backoff_doubles_per_attempt_up_to_a_minute_with_jitter(attempt: int, base: float) -> None:
    delays = [backoff_delay(attempt) for _ in range(50)]

    assert all(timedelta(seconds=base * 0.5) <= d <= timedelta(seconds=base * 1.5) for d in delays)
    assert len(set(delays)) > 1  # jittered, so many clients do not retry in step


NOW = datetime(2026, 12, 4, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "delay"),
    [
        ("7", timedelta(seconds=7)),
        ("0.5", timedelta(seconds=0.5)),
        ("Fri, 04 Dec 2026 12:00:30 GMT", timedelta(seconds=30)),
        ("Fri, 04 Dec 2026 11:59:00 GMT", timedelta(0)),  # already past: at once
    ],
)
def test_retry_after_reads_seconds_and_http_dates(header: str, delay: timedelta) -> None:
    response = httpx.Response(429, headers={"Retry-After": header})

    assert retry_after(response, now=NOW) == delay


@pytest.mark.parametrize("header", [None, "", "soon", "-3", "inf", "nan", "1e300"])
def test_a_missing_or_unusable_retry_after_leaves_the_backoff_to_the_caller(header: str | None) -> None:
    response = httpx.Response(503, headers={"Retry-After": header} if header is not None else {})

    assert retry_after(response, now=NOW) is None
