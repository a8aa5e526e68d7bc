"""The portal's webhook: an HTTP POST of the order as soon as it is placed,
signed with HMAC-SHA256 over `{timestamp}.{body}` (X-Portal-Timestamp,
X-Portal-Signature: sha256=<hex>). A push answered with anything but 2xx
is sent again a few times. The control API can also send a push made
wrong on purpose (bad signature, stale timestamp, malformed body)."""

import asyncio
import hashlib
import hmac
import json
from typing import Any

import httpx

from sandbox.supplier.state import PortalState


def signed_headers(secret: str, body: bytes, timestamp: int) -> dict[str, str]:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-Portal-Timestamp": str(timestamp),
        "X-Portal-Signature": f"sha256={mac}",
    }


class Pusher:
    def __init__(self, state: PortalState, transport: httpx.AsyncBaseTransport | None = None):
        self.state = state
        self.client = httpx.AsyncClient(transport=transport, timeout=10.0)

    async def aclose(self) -> None:
        await self.client.aclose()

    def order_body(self, number: str, payload: str = "full") -> bytes:
        record = self.state.orders[number]
        body: dict[str, Any] = {"event": "order.placed", "order": record.delivered()}
        if payload == "number":  # a hint: the receiver fetches the order through the API
            body = {"event": "order.placed", "order_number": number}
        return json.dumps(body).encode()

    async def push(
        self,
        url: str,
        body: bytes,
        *,
        signature: str = "good",
        timestamp_offset: float = 0,
        attempts: int | None = None,
    ) -> list[int | str]:
        """Send one push, again while it is refused with 5xx/429/transport
        errors (a 4xx is the receiver's final "no"). Returns each answer."""
        answers: list[int | str] = []
        attempts = attempts or self.state.config.push_attempts
        for attempt in range(attempts):
            timestamp = int(self.state.now().timestamp() + timestamp_offset)
            headers = signed_headers(self.state.config.webhook_secret, body, timestamp)
            if signature == "bad":
                headers["X-Portal-Signature"] = "sha256=" + "0" * 64
            elif signature == "none":
                del headers["X-Portal-Signature"]
            try:
                response = await self.client.post(url, content=body, headers=headers)
                answers.append(response.status_code)
                if response.status_code < 500 and response.status_code != 429:
                    break
            except httpx.TransportError as exc:
                answers.append(type(exc).__name__)
            if attempt + 1 < attempts:
                await asyncio.sleep(self.state.config.push_retry_seconds)
        self.state.pushes.append({"url": url, "answers": answers, "body": body.decode(errors="replace")[:2000]})
        return answers
