"""The keys bol signs its push notifications with, and the signing itself.

bol publishes the public halves at GET /retailer/subscriptions/signature-keys
(KeySet: id, type "RSA", publicKey in Base64); a push names its key by id in
its `signature` header. The header's exact format is not in the spec we
have; the sandbox uses the one ordertide documents (docs/webhooks.md):

    signature: keyId=<id>,algorithm=rsa-sha256,signature=<Base64 RSA PKCS#1 v1.5 SHA-256 over the raw body>
"""

import base64
import threading

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

SIGNATURE_HEADER = "signature"


class PushKeys:
    """Keys are made on first use: a 2048-bit key takes a moment, and most
    tests of the sandbox never send a push. Rotation adds a key and signs
    with it; the old ones stay published, as they would while pushes signed
    with them are still being retried."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: dict[str, rsa.RSAPrivateKey] = {}
        self._current: str | None = None

    def key_set(self) -> dict[str, list[dict[str, str]]]:
        with self._lock:
            self._ensure()
            return {
                "signatureKeys": [
                    {"id": key_id, "type": "RSA", "publicKey": _public_base64(key)}
                    for key_id, key in self._keys.items()
                ]
            }

    def rotate(self) -> str:
        with self._lock:
            return self._add()

    def sign(self, body: bytes) -> str:
        with self._lock:
            self._ensure()
            assert self._current is not None  # _ensure made one
            key_id, key = self._current, self._keys[self._current]
        signature = key.sign(body, padding.PKCS1v15(), hashes.SHA256())
        return f"keyId={key_id},algorithm=rsa-sha256,signature={base64.b64encode(signature).decode()}"

    def _ensure(self) -> None:
        if self._current is None:
            self._add()

    def _add(self) -> str:
        key_id = str(len(self._keys))
        self._keys[key_id] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._current = key_id
        return key_id


def _public_base64(key: rsa.RSAPrivateKey) -> str:
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()
