"""Payload encryption and the codec server the Web UI decodes through."""

import base64

import httpx
import pytest
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from workers.codec import ENCODING, CodecKeys, EncryptionCodec
from workers.codec_server import create_codec_app

ADDRESS = Payload(metadata={"encoding": b"json/plain"}, data=b'{"street_name": "Dorpstraat", "city": "Utrecht"}')


async def test_payloads_are_unreadable_and_carry_their_key_id():
    codec = EncryptionCodec(CodecKeys.generate("k1"))
    [encrypted] = await codec.encode([ADDRESS])
    assert encrypted.metadata["encoding"] == ENCODING
    assert encrypted.metadata["encryption-key-id"] == b"k1"
    assert b"Dorpstraat" not in encrypted.data
    assert await codec.decode([encrypted]) == [ADDRESS]


async def test_after_rotation_old_payloads_still_decode_and_new_ones_use_the_new_key():
    old_keys = CodecKeys.generate("k1")
    [old] = await EncryptionCodec(old_keys).encode([ADDRESS])
    rotated = EncryptionCodec(old_keys.rotated("k2"))
    [new] = await rotated.encode([ADDRESS])
    assert new.metadata["encryption-key-id"] == b"k2"
    assert await rotated.decode([old, new]) == [ADDRESS, ADDRESS]


async def test_a_payload_from_an_unknown_key_is_refused_by_name():
    [foreign] = await EncryptionCodec(CodecKeys.generate("other")).encode([ADDRESS])
    with pytest.raises(ValueError, match="'other'"):
        await EncryptionCodec(CodecKeys.generate("k1")).decode([foreign])


async def test_unencrypted_payloads_pass_through_decode():
    assert await EncryptionCodec(CodecKeys.generate()).decode([ADDRESS]) == [ADDRESS]


def _body(payload: Payload) -> str:
    return json_format.MessageToJson(Payloads(payloads=[payload]))


def _app(codec: EncryptionCodec) -> httpx.AsyncClient:
    app = create_codec_app(codec, "s3cret", ["http://localhost:8233"])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://codec")


async def test_the_codec_server_decodes_only_for_a_bearer_token_in_the_header():
    codec = EncryptionCodec(CodecKeys.generate())
    [encrypted] = await codec.encode([ADDRESS])
    async with _app(codec) as http:
        for refused in (
            await http.post("/decode", content=_body(encrypted)),
            await http.post("/decode", content=_body(encrypted), headers={"Authorization": "Bearer wrong"}),
            # A token in the URL ends up in access logs and browser history: not accepted at all.
            await http.post("/t/s3cret/decode", content=_body(encrypted)),
        ):
            assert refused.status_code in (401, 404)
            assert b"Dorpstraat" not in refused.content

        # What `temporal --codec-auth "Bearer s3cret"` sends.
        decoded = await http.post("/decode", content=_body(encrypted), headers={"Authorization": "Bearer s3cret"})
        assert decoded.status_code == 200
        assert b"Dorpstraat" in base64.b64decode(decoded.json()["payloads"][0]["data"])

        preflight = await http.options(
            "/decode",
            headers={
                "Origin": "http://localhost:8233",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization,content-type,x-namespace",
            },
        )
        assert preflight.headers["access-control-allow-origin"] == "http://localhost:8233"


async def test_a_browser_signs_in_once_with_the_token_in_a_form_and_then_decodes_by_cookie():
    codec = EncryptionCodec(CodecKeys.generate())
    [encrypted] = await codec.encode([ADDRESS])
    async with _app(codec) as http:
        wrong = await http.post("/session", data={"token": "guess"})
        assert wrong.status_code == 401 and not http.cookies
        signed_in = await http.post("/session", data={"token": "s3cret"})
        assert signed_in.status_code == 200
        cookie = signed_in.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "s3cret" not in cookie
        decoded = await http.post("/decode", content=_body(encrypted))
        assert decoded.status_code == 200


def test_the_codec_server_refuses_to_start_without_a_token():
    for empty in ("", "  "):
        with pytest.raises(ValueError, match="codec token"):
            create_codec_app(EncryptionCodec(CodecKeys.generate()), empty, [])


async def test_a_tampered_ciphertext_is_the_callers_error_not_a_crash():
    codec = EncryptionCodec(CodecKeys.generate())
    [encrypted] = await codec.encode([ADDRESS])
    flipped = bytearray(encrypted.data)
    flipped[-1] ^= 0x01
    truncated = Payload(metadata=encrypted.metadata, data=encrypted.data[:5])
    async with _app(codec) as http:
        for tampered in (Payload(metadata=encrypted.metadata, data=bytes(flipped)), truncated):
            answer = await http.post("/decode", content=_body(tampered), headers={"Authorization": "Bearer s3cret"})
            assert answer.status_code == 400
            assert "payload data" in answer.json()["error"]
