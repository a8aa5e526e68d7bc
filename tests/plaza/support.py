"""A handle on a Plaza sandbox reached in-process through
httpx.ASGITransport: no sockets, nothing to wait for."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypedDict

import httpx

from activities.marketplaces.plaza.client import CONTENT_TYPE, UPSERT_PATH, PlazaClient
from activities.marketplaces.plaza.signing import signed_headers
from sandbox.plaza.app import create_app
from sandbox.plaza.state import PlazaState

BASE_URL = "http://plaza.sandbox"


class Keys(TypedDict):
    public_key: str
    private_key: str


KEYS: Keys = {"public_key": "sandbox", "private_key": "sandbox"}


@dataclass
class SandboxedPlaza:
    app: Any
    transport: httpx.AsyncBaseTransport

    @classmethod
    def start(cls, **options: Any) -> "SandboxedPlaza":
        app = create_app(**options)
        return cls(app=app, transport=httpx.ASGITransport(app=app))

    @property
    def state(self) -> PlazaState:
        return self.app.state.plaza

    def client(self, **options: Any) -> PlazaClient:
        return PlazaClient(BASE_URL, **{**KEYS, "transport": self.transport, **options})

    def control_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport, base_url=BASE_URL)

    async def put(self, body: bytes, private_key: str = "sandbox", now: datetime | None = None) -> httpx.Response:
        """A hand-signed PUT, for bodies the client would never build."""
        headers = signed_headers("sandbox", private_key, "PUT", CONTENT_TYPE, UPSERT_PATH, now or datetime.now(UTC))
        async with self.control_client() as http:
            return await http.put(UPSERT_PATH, content=body, headers=headers)

    async def control(self, path: str) -> Any:
        async with self.control_client() as http:
            response = await http.get(path)
            response.raise_for_status()
            return response.json()
