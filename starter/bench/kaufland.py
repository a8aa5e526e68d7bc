"""The Kaufland side of the benchmarks: its sandbox's units read through the
control API (each amount with the moment it took effect), and the unit
calls that changed an amount."""

import asyncio
import time
from datetime import datetime

from starter.bench.stack import Sandbox


async def wait_for_units(box: Sandbox, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(await box.get("/_sandbox/units")) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{box.url} has not all {count} units after {timeout:.0f}s")
        await asyncio.sleep(0.5)


async def amount_history(box: Sandbox) -> dict[str, list[tuple[datetime, int]]]:
    """Per EAN, every amount the unit had, with when it took effect."""
    return {
        unit["ean"]: sorted((datetime.fromisoformat(h["at"]), h["amount"]) for h in unit["history"])
        for unit in await box.get("/_sandbox/units")
    }


async def amount_calls(box: Sandbox) -> int:
    """Unit PATCHes that set an amount (import files not counted)."""
    requests = await box.get("/_sandbox/requests?path=/v2/units/")
    return sum(1 for r in requests if r["method"] == "PATCH" and "amount" in (r.get("body") or {}))
