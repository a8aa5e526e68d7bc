"""Injected failures: what goes wrong on a real marketplace, on demand.

Request faults (status, rate_limit, slow, expire_token) act when a request
arrives; a response fault (malformed) garbles one listed item (`itemId`, an
order or return id) in a list page, every field but its id, as if bol had
listed it in a shape no client can read; a hold fault lets a request do its
work and then keeps the response back until the holds are released (a
client that dies meanwhile never learns that bol accepted it); process faults (process_failure, process_timeout) act on the
asynchronous process a write starts, so only writes use them up.

A fault's path is a prefix of the request path, in which a "{name}" segment
stands for any one segment: "/retailer/offers/{offer-id}/stock" hits every
offer's stock updates and nothing else, "/retailer/offers/" with method PUT
hits offer, price and stock updates alike."""

import functools
import itertools
import re
from http import HTTPStatus
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from sandbox.bol.bodies import Control

FaultKind = Literal[
    "status", "rate_limit", "slow", "expire_token", "malformed", "hold", "process_failure", "process_timeout"
]
REQUEST_FAULTS: frozenset[str] = frozenset({"status", "rate_limit", "slow", "expire_token"})
RESPONSE_FAULTS: frozenset[str] = frozenset({"malformed"})
HOLD_FAULTS: frozenset[str] = frozenset({"hold"})
PROCESS_FAULTS: frozenset[str] = frozenset({"process_failure", "process_timeout"})


class Fault(Control):
    id: str = ""
    # A prefix of the request path; "{name}" segments match any one segment.
    path: str = Field(pattern=r"^/")
    method: str | None = None
    kind: FaultKind
    # None: until cleared.
    times: int | None = Field(default=None, ge=1)
    status: int = Field(default=500, ge=400, le=599)
    # None: a 429 without a Retry-After header, as bol sometimes sends.
    retry_after: int | None = Field(default=1, ge=0)
    # slow: added to the response time; process_timeout: how long it stays PENDING.
    delay_seconds: float | None = Field(default=None, ge=0)
    error_message: str = "The request could not be processed. Please try again later."
    # malformed: the id of the listed item to garble.
    item_id: str | None = None

    @field_validator("status")
    @classmethod
    def _known_status(cls, status: int) -> int:
        # The Problem body needs the status' reason phrase.
        return HTTPStatus(status).value

    @model_validator(mode="after")
    def _complete(self) -> "Fault":
        if self.kind == "slow" and self.delay_seconds is None:
            raise ValueError("a slow fault needs delaySeconds")
        if self.kind == "malformed" and not self.item_id:
            raise ValueError("a malformed fault needs itemId")
        if self.method is not None:
            self.method = self.method.upper()
        return self

    def matches(self, method: str, path: str) -> bool:
        return _pattern(self.path).match(path) is not None and self.method in (None, method.upper())

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


@functools.cache
def _pattern(path: str) -> re.Pattern[str]:
    # Anchored at the start only: a prefix, like a plain path.
    literals = re.split(r"\{[^}/]*\}", path)
    return re.compile("[^/]+".join(re.escape(literal) for literal in literals))


class FaultBook:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)

    def add(self, **fields: Any) -> Fault:
        fault = Fault.model_validate(fields)
        fault.id = str(next(self._ids))
        self._faults.append(fault)
        return fault

    def take(self, method: str, path: str, kinds: frozenset[str]) -> Fault | None:
        """The first matching fault of these kinds, used up once."""
        for fault in self._faults:
            if fault.kind in kinds and fault.matches(method, path):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times == 0:
                        self._faults.remove(fault)
                return fault.model_copy()
        return None

    def matching(self, method: str, path: str, kinds: frozenset[str]) -> list[Fault]:
        """Every matching fault of these kinds, none used up."""
        return [f.model_copy() for f in self._faults if f.kind in kinds and f.matches(method, path)]

    def use(self, fault_id: str) -> None:
        """Use one time up of this fault."""
        for fault in self._faults:
            if fault.id == fault_id and fault.times is not None:
                fault.times -= 1
                if fault.times == 0:
                    self._faults.remove(fault)
                return

    def all(self) -> list[dict[str, Any]]:
        return [fault.to_json() for fault in self._faults]

    def remove(self, fault_id: str) -> bool:
        before = len(self._faults)
        self._faults = [fault for fault in self._faults if fault.id != fault_id]
        return len(self._faults) < before

    def clear(self) -> None:
        self._faults.clear()


LISTED_IDS = ("orderId", "returnId", "shipmentId")


def garbled(page: dict[str, Any], item_id: str) -> bool:
    """Garble the listed item with this id, in place; whether it was listed."""
    for items in page.values():
        for item in items if isinstance(items, list) else []:
            id_field = next((f for f in LISTED_IDS if isinstance(item, dict) and item.get(f) == item_id), None)
            if id_field is not None:
                for key in list(item):
                    if key != id_field:
                        item[key] = "?"
                return True
    return False
