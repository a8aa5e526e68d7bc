"""Plausible Dutch and Belgian buyers, derived from a seed so the same order
always gets the same person. bol hands sellers scrambled e-mail addresses
that forward to the buyer; these look the same."""

import random
import string
from dataclasses import dataclass
from typing import TypedDict

from sandbox.bol.wire import BillingDetails, ShipmentDetails


class _AddressFields(TypedDict):
    """The Address fields a generated buyer fills, shared by shipment and billing."""

    salutation: str
    firstName: str
    surname: str
    streetName: str
    houseNumber: str
    houseNumberExtension: str | None
    zipCode: str
    city: str
    countryCode: str
    email: str


_FIRST_NAMES = {
    "MALE": ["Daan", "Sem", "Lucas", "Bram", "Thijs", "Jeroen", "Pieter", "Wout", "Arne", "Stijn"],
    "FEMALE": ["Emma", "Julia", "Sanne", "Lotte", "Fleur", "Anouk", "Marieke", "Lies", "Elke", "Noor"],
}
_SURNAMES = ["de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Peeters", "Janssens", "Maes"]
# City and the first two digits of its postcodes.
_NL_PLACES = [
    ("Utrecht", "35"),
    ("Amsterdam", "10"),
    ("Rotterdam", "30"),
    ("Groningen", "97"),
    ("Zwolle", "80"),
    ("Eindhoven", "56"),
]
_NL_STREETS = ["Dorpstraat", "Kerkstraat", "Molenweg", "Stationsplein", "Lindenlaan", "Prinsengracht"]
# Flemish towns take Dutch, Walloon towns French.
_BE_PLACES = [
    ("Gent", "9000", "nl-BE"),
    ("Antwerpen", "2000", "nl-BE"),
    ("Leuven", "3000", "nl-BE"),
    ("Namur", "5000", "fr-BE"),
    ("Liège", "4000", "fr-BE"),
]
_BE_STREETS = {
    "nl-BE": ["Veldstraat", "Meir", "Bondgenotenlaan"],
    "fr-BE": ["Rue de Fer", "Rue Saint-Gilles", "Place du Marché"],
}
_EXTENSIONS = [None, None, None, "A", "B", "bis", "2"]
_PICKUP_POINTS = {"NL": "Albert Heijn: {city}", "BE": "bpost Punt: {city}"}


@dataclass(frozen=True)
class Buyer:
    shipment: ShipmentDetails
    billing: BillingDetails


def buyer_for(seed: int, order_id: str, country_code: str, pickup_point: bool) -> Buyer:
    rng = random.Random(f"{seed}:{order_id}")
    salutation = rng.choice(["MALE", "FEMALE"])
    if country_code == "BE":
        city, zip_code, language = rng.choice(_BE_PLACES)
        street = rng.choice(_BE_STREETS[language])
        phone = f"04{rng.randrange(70, 100)}{rng.randrange(10**6):06d}"
    else:
        city, prefix = rng.choice(_NL_PLACES)
        zip_code = f"{prefix}{rng.randrange(10, 100)}{''.join(rng.choices('ABCEGHJKLMNPRSTVWXZ', k=2))}"
        street, language = rng.choice(_NL_STREETS), "nl"
        phone = f"06{rng.randrange(10**8):08d}"
    address: _AddressFields = {
        "salutation": salutation,
        "firstName": rng.choice(_FIRST_NAMES[salutation]),
        "surname": rng.choice(_SURNAMES),
        "streetName": street,
        "houseNumber": str(rng.randrange(1, 250)),
        "houseNumberExtension": rng.choice(_EXTENSIONS),
        "zipCode": zip_code,
        "city": city,
        "countryCode": country_code,
        "email": "".join(rng.choices(string.ascii_lowercase + string.digits, k=30)) + "@verkopen.bol.com",
    }
    shipment = ShipmentDetails(
        **address,
        language=language,
        deliveryPhoneNumber=phone,
        pickupPointName=_PICKUP_POINTS[country_code].format(city=city.upper()) if pickup_point else None,
    )
    return Buyer(shipment=shipment, billing=BillingDetails(**address))
