"""Kaufland's JSON as pydantic models: tolerant readers (unknown fields are
ignored, unknown statuses kept as strings) for what the adapter reads."""

from pydantic import BaseModel, ConfigDict, Field


class Wire(BaseModel):
    model_config = ConfigDict(extra="ignore")


class FieldError(Wire):
    field: str | None = None
    message: str = ""


class ErrorResponse(Wire):
    type: str | None = None
    message: str = ""
    errors: list[FieldError] = Field(default_factory=list)
