from datetime import timedelta

import pytest

from activities.retry import backoff_delay


@pytest.mark.parametrize(("attempt", "base"), [(0, 1.0), (1, 1.0), (2, 2.0), (4, 8.0), (7, 60.0), (50, 60.0)])
def test_backoff_doubles_per_attempt_up_to_a_minute_with_jitter(attempt: int, base: float) -> None:
    delays = [backoff_delay(attempt) for _ in range(50)]

    assert all(timedelta(seconds=base * 0.5) <= d <= timedelta(seconds=base * 1.5) for d in delays)
    assert len(set(delays)) > 1  # jittered, so many clients do not retry in step
