"""The receiver's OpenAPI document (GET /openapi.json): what each endpoint
takes and every answer it can give, so a sender (and a property-based test
run) can read the contract instead of the code."""

from typing import Any

from pydantic.json_schema import models_json_schema

from workers.supplier_webhook import SupplierPush
from workers.webhooks import BolPush


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _answers(*codes: tuple[str, str]) -> dict[str, Any]:
    return {code: _error(text) for code, text in codes}


CHANNEL = {"name": "channel", "in": "path", "required": True, "schema": {"type": "string"}}


def openapi_document() -> dict[str, Any]:
    _, schemas = models_json_schema(
        [(BolPush, "validation"), (SupplierPush, "validation")], ref_template="#/components/schemas/{model}"
    )
    components: dict[str, Any] = dict(schemas.get("$defs", {}))
    components["Error"] = {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]}
    accepted = {
        "description": "Temporal has the order",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "ordertide webhook receiver", "version": "1"},
        "paths": {
            "/webhooks/bol/{channel}": {
                "post": {
                    "summary": "bol push notification (signed by bol)",
                    "parameters": [
                        CHANNEL,
                        {"name": "signature", "in": "header", "required": False, "schema": {"type": "string"}},
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BolPush"}}},
                    },
                    "responses": {
                        "202": accepted,
                        **_answers(
                            ("400", "not a bol push (the field is named)"),
                            ("401", "not signed by bol"),
                            ("403", "another seller account's push"),
                            ("404", "not a configured bol channel"),
                            ("413", "body too long"),
                            ("429", "too many requests from this address"),
                            ("503", "bol's keys or Temporal cannot be reached now; delivered again later"),
                        ),
                    },
                }
            },
            "/webhooks/supplier/{channel}": {
                "post": {
                    "summary": "supplier portal order push (HMAC-SHA256 over '{timestamp}.{body}')",
                    "parameters": [
                        CHANNEL,
                        {"name": "X-Portal-Timestamp", "in": "header", "required": False, "schema": {"type": "string"}},
                        {"name": "X-Portal-Signature", "in": "header", "required": False, "schema": {"type": "string"}},
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SupplierPush"}}},
                    },
                    "responses": {
                        "202": accepted,
                        **_answers(
                            ("400", "signed, but not a readable portal order (the field is named)"),
                            ("401", "no valid signature, or a timestamp outside the replay window"),
                            ("404", "not a supplier channel taking pushes"),
                            ("413", "body too long"),
                            ("429", "too many requests from this address"),
                            ("503", "the store or Temporal cannot take it now; delivered again later"),
                        ),
                    },
                }
            },
            "/healthz": {
                "get": {
                    "summary": "the receiver is up",
                    "responses": {
                        "200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}
                    },
                }
            },
        },
        "components": {"schemas": components},
    }
