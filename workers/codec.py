"""Encrypting every payload Temporal stores (AES-GCM, `cryptography`).

Order workflows carry no buyer address by design (it stays in the store), but
order data, returns and free-text reasons still reach history; encrypting
every payload keeps personal data out of Temporal's database whatever a
future change puts in a payload. The key id travels in the payload's
metadata, so keys rotate: new payloads use the current key, old ones still
decode with theirs."""

import base64
import json
import os
from collections.abc import Sequence
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from google.protobuf.message import DecodeError
from pydantic import BaseModel
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec

from workers.secret_file import write_secret

ENCODING = b"binary/encrypted"
KEY_ID = "encryption-key-id"
NONCE_BYTES = 12


class CodecKeys(BaseModel):
    current: str
    keys: dict[str, str]  # key id → base64 of a 256-bit key

    def key(self, key_id: str) -> bytes:
        try:
            return base64.b64decode(self.keys[key_id])
        except KeyError:
            raise ValueError(f"payload was encrypted with key {key_id!r}, which is not configured") from None

    @classmethod
    def generate(cls, key_id: str = "k1") -> "CodecKeys":
        return cls(current=key_id, keys={key_id: base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()})

    def rotated(self, key_id: str) -> "CodecKeys":
        fresh = base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()
        return CodecKeys(current=key_id, keys={**self.keys, key_id: fresh})

    @classmethod
    def load(cls, path: Path) -> "CodecKeys":
        return cls.model_validate(json.loads(path.read_text()))

    def save(self, path: Path) -> None:
        write_secret(path, self.model_dump_json(indent=2))

    @classmethod
    def load_or_create(cls, path: Path) -> "CodecKeys":
        if path.exists():
            return cls.load(path)
        keys = cls.generate()
        keys.save(path)
        return keys


class EncryptionCodec(PayloadCodec):
    def __init__(self, keys: CodecKeys):
        self._keys = keys
        self._ciphers = {key_id: AESGCM(keys.key(key_id)) for key_id in keys.keys}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        key_id = self._keys.current
        cipher = self._ciphers[key_id]
        encoded = []
        for payload in payloads:
            nonce = os.urandom(NONCE_BYTES)
            data = nonce + cipher.encrypt(nonce, payload.SerializeToString(), None)
            encoded.append(Payload(metadata={"encoding": ENCODING, KEY_ID: key_id.encode()}, data=data))
        return encoded

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        decoded = []
        for payload in payloads:
            if payload.metadata.get("encoding") != ENCODING:
                decoded.append(payload)  # not ours (or written before encryption was on)
                continue
            key_id = payload.metadata.get(KEY_ID, b"").decode(errors="replace")
            cipher = self._ciphers.get(key_id)
            if cipher is None:
                raise ValueError(f"payload was encrypted with key {key_id!r}, which is not configured")
            nonce, ciphertext = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
            try:
                decoded.append(Payload.FromString(cipher.decrypt(nonce, ciphertext, None)))
            except (InvalidTag, DecodeError, ValueError):
                # A caller's mistake or an attack, not our fault: say so, and no more.
                raise ValueError(f"payload data: does not decrypt with key {key_id!r} (altered or cut)") from None
        return decoded
