"""Push subscriptions and the notifications they would deliver.

Kaufland's notification tells which event happened and what it concerns,
never the data; its exact JSON is not published. The sandbox's is
`{"event_name", "storefront", "ts_created_iso"}` plus the ids of what changed
(`id_order`, `id_order_unit`, `id_return`, `id_return_unit`), the shape
workers/kaufland_pushes.py reads. The sandbox does not call callback URLs
(tests post the notification themselves); it skips Kaufland's verification
request accordingly."""

import itertools
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from sandbox.kaufland.orders import wire_time
from sandbox.kaufland.problems import invalid, not_found

EVENTS = frozenset(
    {
        "order_new",
        "order_unit_new",
        "order_unit_status_changed",
        "item_changed",
        "category_changed",
        "return_new",
        "return_status_changed",
        "return_unit_status_changed",
        "item_unit_new",
        "item_unit_changed",
        "item_unit_deleted",
        "item_unit_out_of_stock",
        "item_unit_not_available",
        "item_unit_available",
    }
)


class Notify(BaseModel):
    """POST /_sandbox/notifications: what happened."""

    model_config = ConfigDict(extra="forbid")

    event_name: str
    storefront: str = "de"
    id_order: str | None = None
    id_order_unit: int | None = None
    id_return: int | None = None
    id_return_unit: int | None = None
    extra: dict[str, Any] = Field(default_factory=dict)


@dataclass
class Subscription:
    id_subscription: int
    callback_url: str
    fallback_email: str
    event_name: str
    storefront: str
    is_active: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "id_subscription": self.id_subscription,
            "callback_url": self.callback_url,
            "fallback_email": self.fallback_email,
            "event_name": self.event_name,
            "is_active": self.is_active,
            "storefront": self.storefront,
        }


class SubscriptionBook:
    def __init__(self) -> None:
        self.subscriptions: dict[int, Subscription] = {}
        self._ids = itertools.count(11011)

    def create(self, body: dict[str, Any], storefront: str) -> Subscription:
        url, email, event = body.get("callback_url"), body.get("fallback_email"), body.get("event_name")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")) or len(url) > 255:
            raise invalid("callback_url", "must be a public http(s) URL of at most 255 characters")
        if not isinstance(email, str) or "@" not in email:
            raise invalid("fallback_email", "must be an e-mail address")
        if event not in EVENTS:
            raise invalid("event_name", f"unknown event {event!r}")
        assert isinstance(event, str)  # narrowed by the membership test
        subscription = Subscription(next(self._ids), url, email, event, storefront)
        self.subscriptions[subscription.id_subscription] = subscription
        return subscription

    def get(self, id_subscription: int) -> Subscription:
        found = self.subscriptions.get(id_subscription)
        if found is None:
            raise not_found(f"Subscription {id_subscription}")
        return found

    def delete(self, id_subscription: int) -> None:
        self.get(id_subscription)
        del self.subscriptions[id_subscription]

    def listed(self, event_name: str | None, storefront: str | None) -> list[Subscription]:
        return [
            s
            for s in self.subscriptions.values()
            if (event_name is None or s.event_name == event_name) and (storefront is None or s.storefront == storefront)
        ]

    def notify(self, notify: Notify, now: datetime) -> list[dict[str, Any]]:
        """The notification body, and where each active subscription would send it."""
        if notify.event_name not in EVENTS:
            raise invalid("event_name", f"unknown event {notify.event_name!r}")
        payload: dict[str, Any] = {"event_name": notify.event_name, "storefront": notify.storefront}
        for key in ("id_order", "id_order_unit", "id_return", "id_return_unit"):
            value = getattr(notify, key)
            if value is not None:
                payload[key] = value
        payload["ts_created_iso"] = wire_time(now)
        payload.update(notify.extra)
        body = json.dumps(payload)
        targets = [s.callback_url for s in self.listed(notify.event_name, notify.storefront) if s.is_active]
        return [{"callback_url": url, "body": body} for url in targets] or [{"callback_url": None, "body": body}]
