"""Kaufland's carrier codes: the list is Kaufland's own (GET /carriers, read
once per adapter and kept), our transporter code is mapped to a name on it
by the alias table (domain/data/kaufland_carriers.toml)."""

import asyncio

from activities.marketplaces.kaufland.client import KauflandHttp
from activities.marketplaces.kaufland.wire import Carrier
from domain.carriers import CarrierAliases
from domain.channels import Marketplace
from domain.errors import BusinessError, Violation

# With these, Kaufland takes a shipment without a tracking number.
NO_TRACKING_NEEDED = frozenset({"other", "other hauler"})


class Carriers:
    def __init__(self, http: KauflandHttp, aliases: CarrierAliases | None = None):
        self.http = http
        self.aliases = aliases or CarrierAliases.load()
        self._known: dict[str, Carrier] | None = None
        self._lock = asyncio.Lock()

    async def known(self) -> dict[str, Carrier]:
        """Kaufland's carriers by lower-cased name."""
        async with self._lock:
            if self._known is None:
                data = await self.http.data("/carriers")
                carriers = [Carrier.model_validate(c) for c in (data or {}).get("carriers", [])]
                self._known = {carrier.name.lower(): carrier for carrier in carriers}
            return self._known

    async def resolve(self, transporter_code: str, tracking: str | None) -> str:
        """Kaufland's carrier_code for our transporter; a business error naming
        the field when Kaufland has no such carrier or needs a tracking number."""
        wanted = self.aliases.carrier_for(Marketplace.KAUFLAND, transporter_code)
        carrier = (await self.known()).get(wanted.lower())
        if carrier is None:
            raise BusinessError(
                f"Kaufland has no carrier {wanted!r} (from transporter {transporter_code!r}); "
                "ship with another transporter or add an alias in kaufland_carriers.toml",
                violations=[Violation(name="carrier_code", reason=f"not in GET /carriers: {wanted}")],
            )
        if not tracking and carrier.name.lower() not in NO_TRACKING_NEEDED:
            raise BusinessError(
                f"Kaufland needs a tracking number to ship with {carrier.name}",
                violations=[Violation(name="tracking_numbers", reason="required unless the carrier is Other")],
            )
        return carrier.name
