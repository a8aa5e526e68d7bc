"""Our transporter codes mapped to a marketplace's carrier names, as data
(domain/data/kaufland_carriers.toml). Kaufland's carrier names ("DHL
Express", "Other Hauler") are display strings, not bol's codes; the list of
valid names itself is Kaufland's (GET /carriers), never hard-coded."""

import tomllib
from importlib import resources

from pydantic import BaseModel

from domain.channels import Marketplace


class CarrierAliases(BaseModel):
    aliases: dict[Marketplace, dict[str, str]]

    def carrier_for(self, marketplace: Marketplace, transporter_code: str) -> str:
        """The marketplace's carrier name for our code (the code itself when
        no alias says otherwise). Case-insensitive."""
        table = {code.upper(): name for code, name in self.aliases.get(marketplace, {}).items()}
        return table.get(transporter_code.strip().upper(), transporter_code.strip())

    @classmethod
    def load(cls) -> "CarrierAliases":
        text = resources.files("domain").joinpath("data/kaufland_carriers.toml").read_text()
        return cls.model_validate({"aliases": tomllib.loads(text)})
