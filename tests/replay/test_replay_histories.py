"""Every recorded history replays against the current code: a change that
would break orders already running fails the build here.

To record new ones: ORDERTIDE_RECORD_HISTORIES=1 pytest tests/workflows"""

import json
from pathlib import Path

import pytest

from workers import replay

# Every history ever recorded stays: older code versions' runs must keep replaying.
HISTORIES = sorted((Path(__file__).parent.parent / "histories").rglob("*.json"))


def test_there_are_histories_for_every_branch():
    names = {path.stem for path in HISTORIES if path.parent.name == "histories"}
    assert {
        "order-full-lifecycle-with-return",
        "order-buyer-cancels-before-pick",
        "order-cancel-requested-between-pick-and-ship",
        "order-one-line-of-two-cancelled",
        "order-out-of-stock-line",
        "order-process-failure-then-resume",
        "order-unknown-ean-then-resume",
        "order-cancelled-by-ops",
        "order-late-return-rejected",
        "order-shipped-with-override",
        "order-partial-picks",
        "order-happy-path",
        "inventory-stock-changes",
        "order-warehouse-push-retried",
        "order-warehouse-refused-then-resume",
        "order-supplier-portal-cancel-confirmed",
        "intake-supplier-push-refused",
        "order-tracking-corrected-after-shipping",
        "order-delivered-later-than-expected",
        "offer-sync-listening-rounds",
        "order-accept-as-activity-refused-then-resume",
    } <= names


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: f"{p.parent.name}/{p.stem}")
async def test_history_replays_deterministically(path: Path):
    outcome = (await replay.replay_files([path]))[0]
    assert outcome.deterministic, outcome.detail


async def test_a_reordered_workflow_is_caught(tmp_path: Path):
    """The replay check can fail: a history whose first command is changed
    from the activity our code schedules is reported, with where it diverges."""
    data = json.loads((HISTORIES[0]).read_text())
    for event in data["events"]:
        attributes = event.get("activityTaskScheduledEventAttributes")
        if attributes:
            attributes["activityType"]["name"] = "something_else"
            break
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data))
    outcome = (await replay.replay_files([broken]))[0]
    assert not outcome.deterministic
    assert "something_else" in outcome.detail or "Nondeterminism" in outcome.detail
