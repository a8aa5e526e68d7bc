"""Knobs of the bol sandbox. Defaults mirror bol's production behaviour where
it is known (299 s tokens, 50 per page) and keep tests fast elsewhere."""

from pydantic import BaseModel, ConfigDict, Field, field_serializer, field_validator

DEFAULT_RULE_KEY = "*"


class RateLimitRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: int = Field(ge=1)
    window_seconds: float = Field(gt=0)


def _generous() -> dict[str, RateLimitRule]:
    return {DEFAULT_RULE_KEY: RateLimitRule(limit=200, window_seconds=1.0)}


class BolSandboxConfig(BaseModel):
    # A misspelt setting must not be silently ignored.
    model_config = ConfigDict(extra="forbid")

    client_id: str = "sandbox"
    client_secret: str = "sandbox"
    token_ttl_seconds: int = Field(default=299, ge=1)
    process_delay_seconds: float = Field(default=0.5, ge=0)
    # Key: "METHOD /path/template" as the spec spells it (e.g.
    # "GET /retailer/orders/{order-id}"), or "*" for every other endpoint.
    # Each endpoint has its own budget, as on bol.
    rate_limits: dict[str, RateLimitRule] = Field(default_factory=_generous)
    page_size: int = Field(default=50, ge=1)
    # Fake buyers are derived from (seed, order id): the same order always
    # gets the same buyer.
    seed: int = 7
    # The seller account this sandbox plays: the retailerId of its pushes.
    retailer_id: str = "1234567"
    # EANs bol's catalogue does not know (or does not allow): offers for them
    # are created but never published, with notPublishableReasons code 1000.
    unpublishable_eans: frozenset[str] = frozenset()

    @field_validator("rate_limits")
    @classmethod
    def _keep_default_rule(cls, rules: dict[str, RateLimitRule]) -> dict[str, RateLimitRule]:
        # Every response must carry X-RateLimit-* headers, so some rule always applies.
        return {**_generous(), **rules}

    @field_serializer("unpublishable_eans")
    def _sorted(self, eans: frozenset[str]) -> list[str]:
        # A set has no order; the same config must always read the same.
        return sorted(eans)

    def rule_for(self, key: str) -> RateLimitRule:
        return self.rate_limits.get(key) or self.rate_limits[DEFAULT_RULE_KEY]
