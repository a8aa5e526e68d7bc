"""Knobs of the Kaufland sandbox. Defaults mirror Kaufland where known
(111 requests per second per seller, 100 per page at most)."""

from pydantic import BaseModel, ConfigDict, Field, field_serializer

# GET /carriers as a third-party integration copied it (marketplaces notes §2.6).
DEFAULT_CARRIERS: tuple[tuple[str, bool], ...] = (
    ("Other", False),
    ("Other Hauler", True),
    ("DHL", False),
    ("DHL Express", False),
    ("DHL Freight", True),
    ("DPD", False),
    ("GLS", False),
    ("Hermes", False),
    ("UPS", False),
    ("Fedex", False),
    ("PostNL", False),
    ("TNT", False),
    ("Deutsche Post", False),
    ("Schenker", True),
    ("Dachser", True),
    ("Rhenus", True),
    ("trans-o-flex", False),
)


class KauflandSandboxConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_key: str = "sandbox"
    secret_key: str = "sandbox"
    # A Shop-Timestamp further than this from the sandbox clock is stale.
    max_clock_skew_seconds: int = Field(default=300, ge=1)
    requests_per_second: int = Field(default=111, ge=1)
    storefront: str = "de"
    seed: int = 7
    carriers: tuple[tuple[str, bool], ...] = DEFAULT_CARRIERS
    # EANs Kaufland's catalogue does not know: units for them are refused (field `ean`).
    unknown_eans: frozenset[str] = frozenset()
    # An import file moves to its next status after this long.
    import_step_seconds: float = Field(default=0.05, ge=0)

    @field_serializer("unknown_eans")
    def _sorted(self, eans: frozenset[str]) -> list[str]:
        return sorted(eans)
