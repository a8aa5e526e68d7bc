"""What the Plaza sandbox remembers: the offers it accepted, keyed like bol
keys them (EAN + Condition), and every request it answered."""

from pydantic import BaseModel

from activities.marketplaces.plaza.xml import PlazaOffer


class RequestRecord(BaseModel):
    offers: int  # RetailerOffer elements read; 0 when the body was never read or refused
    status: int


class PlazaState:
    def __init__(self, known_eans: frozenset[str] | None):
        # None: every valid EAN is a product, as if bol knew the whole world.
        self.known_eans = known_eans
        self.offers: dict[tuple[str, str], PlazaOffer] = {}
        self.requests: list[RequestRecord] = []

    def reset(self) -> None:
        self.offers.clear()
        self.requests.clear()
