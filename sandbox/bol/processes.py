"""bol's asynchronous processes: every write is answered 202 PENDING and
finishes later. Completion is lazy — due processes are finished, in the
order they were accepted, whenever the sandbox is touched — so it works
under httpx.ASGITransport with no background task and follows the clock."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sandbox.bol.faults import Fault
from sandbox.bol.wire import Link, ProcessStatus

# Applies a write to the sandbox as of the given moment; returns why it failed
# (then it changed nothing).
Effect = Callable[[datetime], str | None]
# Decides how a process ends, as of the given moment: (status, errorMessage).
Outcome = Callable[[datetime], tuple[str, str | None]]


@dataclass
class Process:
    id: str
    entity_id: str
    event_type: str
    description: str
    created_at: datetime
    due_at: datetime
    outcome: Outcome
    status: str = "PENDING"
    error_message: str | None = None
    # bol fills entityId for POSTs only on SUCCESS: what they create has no
    # id before it exists. The id is chosen up front and shown from then on.
    entity_on_success: bool = False

    @property
    def shown_entity_id(self) -> str | None:
        if self.entity_on_success and self.status != "SUCCESS":
            return None
        return self.entity_id

    def finish(self) -> None:
        # Changes are stamped with the moment the process was due, not the
        # (later) moment someone looked: the sandbox behaves as if it had a timer.
        self.status, self.error_message = self.outcome(self.due_at)

    def to_wire(self, base_url: str) -> ProcessStatus:
        return ProcessStatus(
            processStatusId=self.id,
            entityId=self.shown_entity_id,
            eventType=self.event_type,
            description=self.description,
            status=self.status,
            errorMessage=self.error_message,
            createTimestamp=self.created_at,
            links=[Link(rel="self", href=f"{base_url}/shared/process-status/{self.id}", method="GET")],
        )


def _fixed(status: str, message: str) -> Outcome:
    return lambda _: (status, message)


def _applied(effect: Effect) -> Outcome:
    def outcome(at: datetime) -> tuple[str, str | None]:
        error = effect(at)
        return ("FAILURE", error) if error else ("SUCCESS", None)

    return outcome


class ProcessBook:
    def __init__(self) -> None:
        self._processes: dict[str, Process] = {}
        # In the order they were accepted; settle() only has to look at these.
        self._pending: list[Process] = []

    def start(
        self,
        process_id: str,
        entity_id: str,
        event_type: str,
        description: str,
        effect: Effect,
        now: datetime,
        delay_seconds: float,
        fault: Fault | None,
        entity_on_success: bool = False,
    ) -> Process:
        outcome = _applied(effect)
        if fault is not None and fault.kind == "process_failure":
            outcome = _fixed("FAILURE", fault.error_message)
        elif fault is not None and fault.kind == "process_timeout":
            if fault.delay_seconds is not None:
                delay_seconds = fault.delay_seconds
            outcome = _fixed("TIMEOUT", "The process did not finish in time; nothing was changed.")
        process = Process(
            id=process_id,
            entity_id=entity_id,
            event_type=event_type,
            description=description,
            created_at=now,
            due_at=now + timedelta(seconds=delay_seconds),
            outcome=outcome,
            entity_on_success=entity_on_success,
        )
        self._processes[process_id] = process
        self._pending.append(process)
        return process

    def settle(self, now: datetime) -> None:
        still_pending = []
        for process in self._pending:
            if process.due_at <= now:
                process.finish()
            else:
                still_pending.append(process)
        self._pending = still_pending

    def get(self, process_id: str) -> Process | None:
        return self._processes.get(process_id)

    def for_entity(self, entity_id: str, event_type: str) -> list[Process]:
        """Newest first, as bol lists them."""
        found = [p for p in self._processes.values() if p.shown_entity_id == entity_id and p.event_type == event_type]
        return found[::-1]

    def all(self) -> list[Process]:
        return list(self._processes.values())
