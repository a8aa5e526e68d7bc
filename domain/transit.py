"""When a shipped parcel is expected at the buyer: the transporter's transit
time to the destination country, kept as data (domain/data/transit_times.toml)
because carriers and seller's experience change, not code."""

import tomllib
from datetime import datetime, timedelta
from importlib import resources

from pydantic import BaseModel

ANY_COUNTRY = "*"
DEFAULT = "default"


class TransitTimes(BaseModel):
    # transporter code → destination country (or "*") → days
    days: dict[str, dict[str, int]]

    def transit(self, transporter_code: str, country: str | None) -> timedelta:
        """The transporter's time to the country; its "*", else the default's."""
        for table in (self.days.get(transporter_code.upper()), self.days[DEFAULT]):
            if table is None:
                continue
            days = table.get((country or "").upper(), table.get(ANY_COUNTRY))
            if days is not None:
                return timedelta(days=days)
        raise LookupError(f"transit_times.toml has no {DEFAULT}.{ANY_COUNTRY!r}")

    def expected_delivery(self, shipped_at: datetime, transporter_code: str, country: str | None) -> datetime:
        return shipped_at + self.transit(transporter_code, country)

    @classmethod
    def parse(cls, text: str) -> "TransitTimes":
        return cls.model_validate({"days": tomllib.loads(text)})

    @classmethod
    def load(cls) -> "TransitTimes":
        return cls.parse(resources.files("domain").joinpath("data/transit_times.toml").read_text())


# Read once at import: workflow code (OrderState) must not read files.
TRANSIT_TIMES = TransitTimes.load()
