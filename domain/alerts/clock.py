"""Deadlines in calendar time or in business days (Monday to Friday), as
each marketplace counts its response times."""

from datetime import datetime, timedelta


def add_business_time(start: datetime, duration: timedelta) -> datetime:
    """`duration` counted on weekdays only: weekend hours do not run the clock."""
    at, left = start, duration
    while left > timedelta(0):
        if at.weekday() >= 5:  # skip to Monday 00:00
            at = (at + timedelta(days=7 - at.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
            continue
        day_end = (at + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        step = min(left, day_end - at)
        at, left = at + step, left - step
    return at


def deadline(start: datetime, duration: timedelta, business_days: bool) -> datetime:
    return add_business_time(start, duration) if business_days else start + duration
