"""bol's push signature header, parsed and checked in this one place.

bol's spec documents the keys (GET /retailer/subscriptions/signature-keys:
id, type "RSA", publicKey in Base64) and that a push names its key by
`keyId` in a signature header; the header's exact format is not in what we
have. This module reads the format ordertide documents (docs/webhooks.md),
so if bol's turns out to differ, this is the one file to change:

    signature: keyId=<id>,algorithm=rsa-sha256,signature=<Base64 RSA PKCS#1 v1.5 SHA-256 over the raw body>
"""

import base64
import binascii
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

SIGNATURE_HEADER = "signature"
ALGORITHM = "rsa-sha256"


class BadPushSignature(Exception):
    """The push is not signed by bol: answer 401 and do nothing with it."""


@dataclass(frozen=True)
class PushSignature:
    key_id: str
    signature: bytes


def parse(header: str | None) -> PushSignature:
    if not header:
        raise BadPushSignature(f"no {SIGNATURE_HEADER} header")
    fields: dict[str, str] = {}
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep or name in fields:
            raise BadPushSignature(f"{SIGNATURE_HEADER} header: expected keyId=…,algorithm=…,signature=…")
        fields[name] = value
    if fields.keys() != {"keyId", "algorithm", "signature"}:
        raise BadPushSignature(f"{SIGNATURE_HEADER} header: needs exactly keyId, algorithm and signature")
    if fields["algorithm"] != ALGORITHM:
        raise BadPushSignature(f"{SIGNATURE_HEADER} header: algorithm {fields['algorithm'][:20]!r} is not {ALGORITHM}")
    try:
        signature = base64.b64decode(fields["signature"], validate=True)
    except binascii.Error:
        raise BadPushSignature(f"{SIGNATURE_HEADER} header: signature is not Base64") from None
    return PushSignature(key_id=fields["keyId"], signature=signature)


def public_key(base64_der: str) -> rsa.RSAPublicKey:
    """A KeySet's publicKey (Base64 of the DER SubjectPublicKeyInfo)."""
    key = serialization.load_der_public_key(base64.b64decode(base64_der, validate=True))
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("not an RSA public key")
    return key


def verify(key: rsa.RSAPublicKey, signed: PushSignature, body: bytes) -> None:
    try:
        key.verify(signed.signature, body, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise BadPushSignature(f"signature does not match the body (key {signed.key_id[:20]!r})") from None
