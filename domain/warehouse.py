"""What the engine pushes to a warehouse that cannot speak Temporal, and how
the warehouse can tell the push is ours.

Every push carries an idempotency key, `<order id>:v<version>`: the receiver
de-duplicates on it, and the engine never sends a version the warehouse has
already acknowledged. Version 1 is the accepted order."""

import hashlib
import hmac
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

TIMESTAMP_HEADER = "Ordertide-Timestamp"
SIGNATURE_HEADER = "Ordertide-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
SIGNATURE_SCHEME = "sha256="

ACCEPTED_VERSION = 1


class WarehouseLine(BaseModel):
    line_id: str
    ean: str
    sku: str | None = None
    title: str = ""
    quantity: int


class WarehouseAddress(BaseModel):
    """Where the parcel goes: the warehouse prints the label."""

    model_config = ConfigDict(hide_input_in_errors=True)  # the buyer's name and address

    name: str
    company: str | None = None
    street: str
    zip_code: str
    city: str
    country_code: str
    pickup_point_name: str | None = None


class WarehouseOrder(BaseModel):
    model_config = ConfigDict(hide_input_in_errors=True)  # it carries the address
    order_id: str  # the order's workflow id: what the pick and ship endpoints take
    version: int
    channel: str
    marketplace_order_id: str
    placed_at: datetime
    ship_by: date | None = None
    lines: list[WarehouseLine]
    ship_to: WarehouseAddress

    @property
    def idempotency_key(self) -> str:
        return idempotency_key(self.order_id, self.version)


def idempotency_key(order_id: str, version: int) -> str:
    return f"{order_id}:v{version}"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value. The timestamp is signed with the body,
    so a captured push cannot be replayed later under a fresh timestamp."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return SIGNATURE_SCHEME + mac.hexdigest()


def signature_matches(secret: str, timestamp: str | None, body: bytes, signature: str | None) -> bool:
    if not timestamp or not signature:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)
