"""Subscriptions: GET /retailer/subscriptions/signature-keys, the public keys
that verify the signature of bol's push notifications."""

from sandbox.bol.gateway import ApiCall, Reply, api_route


def signature_keys(call: ApiCall) -> Reply:
    return 200, call.sandbox.push_keys.key_set()


routes = [
    api_route("GET", "/retailer/subscriptions/signature-keys", signature_keys),
]
