"""bol's push signature keys, fetched once and kept: a push signed with a
key we have is checked without a call to bol. A key id we do not know
means bol rotated its keys, so the set is fetched again — at most once a
minute, so pushes naming made-up key ids cannot spend the rate budget of
the API calls real orders need."""

import asyncio
import logging
import time
from collections.abc import Callable

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import rsa

from activities.marketplaces.bol import push_signature, wire
from activities.marketplaces.bol.http import BolHttp
from domain.errors import MarketplaceUnavailable

log = logging.getLogger(__name__)

KEYS_PATH = "/retailer/subscriptions/signature-keys"
REFRESH_INTERVAL_SECONDS = 60.0


class PushKeys:
    def __init__(
        self,
        http: BolHttp,
        refresh_interval: float = REFRESH_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._http = http
        self._refresh_interval = refresh_interval
        self._clock = clock
        self._keys: dict[str, rsa.RSAPublicKey] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def verify(self, body: bytes, header: str | None) -> None:
        """Returns when bol signed `body`; raises BadPushSignature when it did
        not, and a MarketplaceError when bol's keys cannot be read (then the
        push can be neither trusted nor refused: the caller asks for a retry)."""
        signed = push_signature.parse(header)
        key = await self._key(signed.key_id)
        if key is None:
            raise push_signature.BadPushSignature(f"unknown signature key {signed.key_id[:20]!r}")
        push_signature.verify(key, signed, body)

    async def warm(self) -> None:
        """Fetch the keys now if they were never fetched."""
        async with self._lock:
            if self._fetched_at is None:
                await self._refresh()

    async def _key(self, key_id: str) -> rsa.RSAPublicKey | None:
        if key_id in self._keys:
            return self._keys[key_id]
        async with self._lock:  # concurrent pushes with a new key id share one fetch
            if key_id not in self._keys and self._may_refresh():
                await self._refresh()
        return self._keys.get(key_id)

    def _may_refresh(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= self._refresh_interval

    async def _refresh(self) -> None:
        response = await self._http.call("GET", KEYS_PATH)
        self._fetched_at = self._clock()
        try:
            listed = wire.SignatureKeys.model_validate(response.json()).signatureKeys
        except ValueError as exc:
            raise MarketplaceUnavailable(f"bol GET {KEYS_PATH}: not a key set ({exc.__class__.__name__})") from exc
        keys: dict[str, rsa.RSAPublicKey] = {}
        for key in listed:
            try:
                keys[key.id] = push_signature.public_key(key.publicKey)
            except (
                ValueError,
                UnsupportedAlgorithm,
            ) as exc:  # one bad key must not refuse pushes signed with the others
                log.warning("bol signature key %r is unusable (type %s): %s", key.id, key.type, exc)
        self._keys = keys
