"""Choose a transporter by rules kept as data (domain/data/transporters.toml,
or a seller's own file). Marketplace code lists change without notice; a
seller edits a file, not code."""

import tomllib
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, Field

from domain.channels import Marketplace


class TransporterRule(BaseModel):
    transporter: str
    countries: list[str] | None = None
    pickup_point: bool | None = None
    max_weight_grams: int | None = None

    def matches(self, country: str, pickup_point: bool, weight_grams: int | None) -> bool:
        if self.countries is not None and country.upper() not in self.countries:
            return False
        if self.pickup_point is not None and self.pickup_point != pickup_point:
            return False
        if self.max_weight_grams is None:
            return True
        return weight_grams is not None and weight_grams <= self.max_weight_grams


class TrackingRequired(BaseModel):
    """Which transporters need a track-and-trace code on a marketplace:
    `codes` listed, or every one but `all_but` (codes, case-insensitive)."""

    codes: list[str] = Field(default_factory=list)
    all_but: list[str] | None = None

    def needs(self, transporter_code: str) -> bool:
        code = transporter_code.strip().upper()
        if self.all_but is not None:
            return code not in {c.upper() for c in self.all_but}
        return code in {c.upper() for c in self.codes}


class TransporterRules(BaseModel):
    rules: dict[Marketplace, list[TransporterRule]]
    tracking_required: dict[Marketplace, TrackingRequired] = Field(default_factory=dict)

    def requires_tracking(self, marketplace: Marketplace, transporter_code: str) -> bool:
        rule = self.tracking_required.get(marketplace)
        return rule is not None and rule.needs(transporter_code)

    def choose(
        self, marketplace: Marketplace, country: str, pickup_point: bool = False, weight_grams: int | None = None
    ) -> str:
        for rule in self.rules.get(marketplace, []):
            if rule.matches(country, pickup_point, weight_grams):
                return rule.transporter
        raise LookupError(f"no transporter rule matches {marketplace} {country} (pickup point: {pickup_point})")

    @classmethod
    def parse(cls, text: str) -> "TransporterRules":
        data = tomllib.loads(text)
        return cls.model_validate({"tracking_required": data.pop("tracking_required", {}), "rules": data})

    @classmethod
    def load(cls, path: Path | None = None) -> "TransporterRules":
        if path is not None:
            return cls.parse(path.read_text())
        return cls.parse(resources.files("domain").joinpath("data/transporters.toml").read_text())
