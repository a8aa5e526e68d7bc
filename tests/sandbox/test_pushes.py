"""The sandbox sends push notifications as bol does: signed with a key it
publishes at GET /retailer/subscriptions/signature-keys."""

import base64
import json

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from workers.http import serve_in_thread

ORDER_EVENT = {"resource": "ORDER", "type": "NEW", "resourceId": "1200000001"}


def verify(keys: dict, body: bytes, header: str) -> str:
    """The documented header, checked independently of the adapter's parser."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    assert fields["algorithm"] == "rsa-sha256"
    [key] = [k for k in keys["signatureKeys"] if k["id"] == fields["keyId"]]
    public = serialization.load_der_public_key(base64.b64decode(key["publicKey"]))
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(base64.b64decode(fields["signature"]), body, padding.PKCS1v15(), hashes.SHA256())
    return fields["keyId"]


async def test_a_push_is_signed_with_a_published_key(http, bol):
    push = (await http.post("/_sandbox/pushes", json={"event": ORDER_EVENT})).json()
    keys = (await bol.get("/retailer/subscriptions/signature-keys")).json()

    body = push["body"].encode()
    assert json.loads(body)["event"] == ORDER_EVENT and json.loads(body)["retailerId"] == "1234567"
    assert [k["type"] for k in keys["signatureKeys"]] == ["RSA"]
    verify(keys, body, push["headers"]["signature"])
    with pytest.raises(InvalidSignature):
        verify(keys, body.replace(b"1200000001", b"1200000002"), push["headers"]["signature"])


async def test_after_a_rotation_pushes_name_the_new_key_and_the_old_one_stays_published(http, bol):
    first = (await http.post("/_sandbox/pushes", json={"event": ORDER_EVENT})).json()
    rotated = (await http.post("/_sandbox/signature-keys/rotate")).json()["keyId"]
    second = (await http.post("/_sandbox/pushes", json={"event": ORDER_EVENT})).json()
    keys = (await bol.get("/retailer/subscriptions/signature-keys")).json()

    assert verify(keys, second["body"].encode(), second["headers"]["signature"]) == rotated
    assert verify(keys, first["body"].encode(), first["headers"]["signature"]) != rotated


async def test_a_push_with_a_url_is_delivered_there_signed(http):
    received: list[tuple[bytes, str]] = []

    async def receiver(request: Request) -> Response:
        received.append((await request.body(), request.headers["signature"]))
        return Response(status_code=202)

    server = serve_in_thread(Starlette(routes=[Route("/hook", receiver, methods=["POST"])]))
    try:
        sent = await http.post("/_sandbox/pushes", json={"event": ORDER_EVENT, "url": f"{server.url}/hook"})
    finally:
        server.stop()
    assert sent.json()["delivered"] == 202
    assert received == [(sent.json()["body"].encode(), sent.json()["headers"]["signature"])]
