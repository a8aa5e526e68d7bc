"""Choose a transporter by rules kept as data (domain/data/transporters.toml,
or a seller's own file). Marketplace code lists change without notice; a
seller edits a file, not code."""

import tomllib
from importlib import resources
from pathlib import Path

from pydantic import BaseModel

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


class TransporterRules(BaseModel):
    rules: dict[Marketplace, list[TransporterRule]]

    def choose(
        self, marketplace: Marketplace, country: str, pickup_point: bool = False, weight_grams: int | None = None
    ) -> str:
        for rule in self.rules.get(marketplace, []):
            if rule.matches(country, pickup_point, weight_grams):
                return rule.transporter
        raise LookupError(f"no transporter rule matches {marketplace} {country} (pickup point: {pickup_point})")

    @classmethod
    def parse(cls, text: str) -> "TransporterRules":
        return cls.model_validate({"rules": tomllib.loads(text)})

    @classmethod
    def load(cls, path: Path | None = None) -> "TransporterRules":
        if path is not None:
            return cls.parse(path.read_text())
        return cls.parse(resources.files("domain").joinpath("data/transporters.toml").read_text())
