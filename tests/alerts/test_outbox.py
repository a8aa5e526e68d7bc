"""Each alert message reaches each sink once: a retried evaluation (its
first attempt committed, then its answer was lost), a retried or repeated
notify, and a later scheduled run send nothing twice and lose nothing.
A real HTTP receiver and a real SQLite store."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import cast

import httpx
import pytest
from temporalio.client import Client

from activities.alerts.evaluate import AlertActivities
from activities.store import Database
from domain.alerts.config import AlertSettings, WebhookSink
from domain.alerts.model import Alert, AlertKind, Severity
from tests.alerts.sinks import Receiver
from workers.http import serve_in_thread

T0 = datetime(2026, 12, 2, 8, tzinfo=UTC)
LATE = Alert(kind=AlertKind.SHIP_BY, subject="order:bol:A1", severity=Severity.WARNING, message="due by 12:00")


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    receiver = Receiver()
    server = serve_in_thread(receiver.app())
    yield receiver, f"{server.url}/hook"
    server.stop()


def alert_activities(store: Database, url: str) -> AlertActivities:
    settings = AlertSettings(log=False, every=timedelta(minutes=5), webhooks=[WebhookSink(url=url)])
    # No Temporal here: only settle and notify run, which use the store and the sinks.
    return AlertActivities(settings, {}, store, cast(Client, None), "ordertide")


async def send_all(activities: AlertActivities, deliveries) -> None:
    for request in deliveries:
        await activities.notify(request)


async def test_a_retried_evaluation_and_a_repeated_notify_send_each_message_once(store, receiver):
    hook, url = receiver
    activities = alert_activities(store, url)
    first = await activities.settle([LATE], T0)
    # The first attempt committed but its answer was lost: the retry finds
    # no new transition, yet the message is still there to send.
    retry = await activities.settle([LATE], T0 + timedelta(seconds=5))
    assert retry.events == [] and retry.deliveries == first.deliveries and len(first.deliveries) == 1

    await send_all(activities, retry.deliveries)
    await send_all(activities, first.deliveries)  # a notify retried after its send went through
    assert len(hook.bodies) == 1 and "WARNING] ship-by" in hook.texts()[0]

    # The next scheduled runs: nothing new, nothing sent; worse, then cleared: once each.
    assert (await activities.settle([LATE], T0 + timedelta(minutes=5))).deliveries == []
    worse = LATE.model_copy(update={"severity": Severity.ALERT})
    await send_all(activities, (await activities.settle([worse], T0 + timedelta(minutes=10))).deliveries)
    await send_all(activities, (await activities.settle([worse], T0 + timedelta(minutes=15))).deliveries)
    cleared = await activities.settle([], T0 + timedelta(minutes=20))
    await send_all(activities, cleared.deliveries)
    await send_all(activities, cleared.deliveries)
    assert (await activities.settle([], T0 + timedelta(minutes=25))).deliveries == []
    assert [t.split("]")[0] for t in hook.texts()] == ["[ordertide WARNING", "[ordertide WORSE", "[ordertide RESOLVED"]
    # Each message carries its own key, the same on every try, for receivers that dedupe.
    assert hook.keys[0] == first.deliveries[0].message_id and len(set(hook.keys)) == 3


async def test_a_message_a_sink_did_not_take_is_offered_to_the_next_run_and_then_given_up(store, receiver):
    hook, url = receiver
    activities = alert_activities(store, url)
    hook.failures = 10**6  # the webhook is down
    round_ = await activities.settle([LATE], T0)
    with pytest.raises(httpx.HTTPStatusError):
        await activities.notify(round_.deliveries[0])
    assert (await activities.settle([LATE], T0 + timedelta(minutes=5))).deliveries == round_.deliveries
    hook.failures = 0
    # Two runs later it is stale: given up (the log has it), not sent late.
    assert (await activities.settle([LATE], T0 + timedelta(minutes=12))).deliveries == []
    assert hook.bodies == []
