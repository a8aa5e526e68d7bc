"""The value lists and limits bol documents for Offer API v2 upserts
("Create and Update", developers.bol.com/offer-api-v2/create-and-update/)."""

from decimal import Decimal

MAX_OFFERS_PER_REQUEST = 50

CONDITIONS = ("NEW", "AS_NEW", "GOOD", "REASONABLE", "MODERATE")
FULFILLMENT_METHODS = ("FBR", "FBB")
# Plaza predates "MijnLeverbelofte" and "VVB", which only the Retailer API knows.
DELIVERY_CODES = (*(f"24uurs-{hour}" for hour in range(23, 11, -1)), "1-2d", "2-3d", "3-5d", "4-8d", "1-8d")

MAX_PRICE = Decimal("9999")
MAX_QUANTITY = 999
# bol's v2 page counts characters (the v1 pages said UTF-8 bytes).
MAX_REFERENCE_CODE = 20
MAX_DESCRIPTION = 2000
MAX_TITLE = 500
