"""Outcomes of commands sent to a marketplace (ship, cancel, handle return).

bol accepts writes asynchronously: 202 only means "received", the process
status is the outcome. Synchronous marketplaces report SUCCESS at once."""

from enum import StrEnum

from pydantic import BaseModel, Field


class CommandStatus(StrEnum):
    PENDING = "PENDING"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    TIMEOUT = "TIMEOUT"

    @property
    def is_final(self) -> bool:
        return self is not CommandStatus.PENDING


class Violation(BaseModel):
    name: str
    reason: str

    def __str__(self) -> str:
        return f"{self.name}: {self.reason}"


class Transport(BaseModel):
    transporter_code: str
    track_and_trace: str | None = None


class LineQuantity(BaseModel):
    line_id: str
    quantity: int


class ShipmentResult(BaseModel):
    """What a ship command achieved. Lines the buyer asked to cancel right
    before shipping are left out and reported, never shipped."""

    shipped: list[LineQuantity] = Field(default_factory=list)
    cancellation_requested_line_ids: list[str] = Field(default_factory=list)
    transport: Transport | None = None
    process_id: str | None = None
    already_done: bool = False


class CommandResult(BaseModel):
    process_id: str | None = None
    already_done: bool = False
