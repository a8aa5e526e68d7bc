"""`ordertide order cancel` asks for a reason and, before acting, says when
it counts against the seller and what the rate becomes; `--yes` for scripts.
The question comes before any call to Temporal, so no worker is needed."""

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta

from activities.store.tables import OrderRecord
from domain.ids import line_key
from workers.settings import settings_env


async def typed(*args: str, answers: str, env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "starter.cli",
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
    )
    out, _ = await process.communicate(answers.encode())
    return await process.wait(), out.decode()


async def test_cancel_asks_why_and_shows_the_seller_fault_rate_per_order_first(engines, task_queue, tmp_path):
    engine = engines.build(task_queue)
    now = datetime.now(UTC)
    with engine.db.session() as s, s.begin():  # 50 orders this month
        for n in range(50):
            s.add(
                OrderRecord(
                    channel="bol",
                    marketplace_order_id=f"O{n}",
                    placed_at=now - timedelta(days=3),
                    received_at=now - timedelta(days=3),
                    payload={"lines": [{}, {}]},
                )
            )
    # One earlier order lost both its lines to the seller: bol counts it once.
    for line in ("1", "2"):
        engine.ledger.record_cancellation(line_key("bol", "O7", line), "bol", "OUT_OF_STOCK", True, 1)
    env = {**os.environ, "ORDERTIDE_DATA_DIR": str(tmp_path), "COLUMNS": "200", **settings_env(engine.settings)}

    code, out = await typed("order", "cancel", "bol:O1", "--yes", answers="", env=env)
    assert code != 0 and "--reason: required with --yes" in out

    # Asked for the reason, warned, and the answer "no" leaves the order alone.
    code, out = await typed("order", "cancel", "bol:O1", answers="OUT_OF_STOCK\nn\n", env=env)
    assert code == 1, out
    assert "OUT_OF_STOCK counts against the seller on bol" in out
    assert "from 2.00% to 4.00% of 50 order(s), ABOVE the marketplace's 2%" in out
    assert "Cancel anyway?" in out
