"""What bol documents about the Plaza Offer API v2 upsert, as the sandbox
reads it: developers.bol.com/offer-api-v2/create-and-update/ and the Plaza
authentication and error-code appendices.

These are protocol facts, so the client (activities/marketplaces/plaza/)
states them too. They are duplicated here on purpose: the sandbox stands in
for bol and must not take its rules from the code it is there to test. If
the two copies disagree, the contract tests say so."""

from datetime import timedelta
from decimal import Decimal

UPSERT_PATH = "/offers/v2/"
# "Prepare Offer file": a signed GET that answers where the seller's offer
# export will be published (v1's /offers/v1/export, moved in v2).
EXPORT_PATH = "/offers/v2/export"
CONTENT_TYPE = "application/xml"
NAMESPACE = "https://plazaapi.bol.com/offers/xsd/api-2.0.xsd"

# "a maximum of 50 offers per Request"
MAX_OFFERS_PER_REQUEST = 50

# The children of <RetailerOffer>, in the order of bol's example (an XSD
# sequence), and whether each one must be present.
OFFER_ELEMENTS: tuple[tuple[str, bool], ...] = (
    ("EAN", True),
    ("Condition", True),
    ("Price", True),
    ("DeliveryCode", True),
    ("QuantityInStock", True),
    ("Publish", True),
    ("ReferenceCode", True),  # required, "can optionally be left empty"
    ("Description", True),  # required, may be empty, ignored for NEW
    ("Title", False),
    ("FulfillmentMethod", False),  # "will default to FBR if not provided"
)

CONDITIONS = frozenset({"NEW", "AS_NEW", "GOOD", "REASONABLE", "MODERATE"})
DELIVERY_CODES = frozenset([f"24uurs-{hour}" for hour in range(12, 24)] + ["1-2d", "2-3d", "3-5d", "4-8d", "1-8d"])
FULFILLMENT_METHODS = frozenset({"FBR", "FBB"})
DEFAULT_FULFILLMENT_METHOD = "FBR"

MAX_PRICE = Decimal("9999")
PRICE_STEP = Decimal("0.01")  # a euro amount: whole cents
MIN_QUANTITY, MAX_QUANTITY = 0, 999
# The v2 page says "Maximum amount of characters".
MAX_LENGTHS = {"ReferenceCode": 20, "Description": 2000, "Title": 500}

# bol refuses an X-BOL-Date further than this from its own clock.
MAX_CLOCK_SKEW = timedelta(minutes=15)

# Not a bol figure but the sandbox's own guard: 50 offers with every text at
# its limit, each character written as a 10-byte character reference, fit.
MAX_BODY_BYTES = 2 * 1024 * 1024

# ServiceError codes (request level) from bol's error appendix.
XSD_ERROR = "41100"
MISSING_AUTH_HEADERS = "41201"
BAD_SIGNATURE = "41202"
BAD_DATE = "41102"  # in the Plaza services 41102 is the X-BOL-Date error
# ValidationError codes and messages, as bol words them where it shows them.
INVALID_EAN = ("41102", "The EAN is not valid.")
INVALID_DELIVERY_CODE = ("41104", "The delivery code is not valid; check the documentation for valid values.")
