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


async def test_the_codec_server_decodes_for_the_ui_only_with_the_token():
    codec = EncryptionCodec(CodecKeys.generate())
    [encrypted] = await codec.encode([ADDRESS])
    app = create_codec_app(codec, "s3cret", ["http://localhost:8233"])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://codec") as http:
        refused = await http.post("/t/wrong/decode", content=_body(encrypted))
        assert refused.status_code == 401
        refused = await http.post("/decode", content=_body(encrypted))
        assert refused.status_code == 401

        decoded = await http.post("/t/s3cret/decode", content=_body(encrypted))
        assert decoded.status_code == 200
        data = base64.b64decode(decoded.json()["payloads"][0]["data"])
        assert b"Dorpstraat" in data

        by_header = await http.post("/decode", content=_body(encrypted), headers={"Authorization": "Bearer s3cret"})
        assert by_header.status_code == 200

        preflight = await http.options(
            "/t/s3cret/decode",
            headers={"Origin": "http://localhost:8233", "Access-Control-Request-Method": "POST"},
        )
        assert preflight.headers["access-control-allow-origin"] == "http://localhost:8233"
