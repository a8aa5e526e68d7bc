"""With a key configured, nothing Temporal stores is readable without it."""

import base64

from temporalio.client import Client

from domain.order.messages import PickRequest
from domain.order.status import OrderStatus
from tests.workflows.helpers import MUG, place_and_start, wait_for
from workers.codec import ENCODING, CodecKeys
from workers.temporal_client import data_converter
from workflows.order import OrderWorkflow

# Stored in the clear by design: search attributes (ops filter on them; ours
# hold no personal data) and the SDK's own markers (local-activity bookkeeping,
# `workflow.patched` ids). A local activity's *result* is still encrypted.
UNENCRYPTED = (
    "searchAttributes",
    "markerRecordedEventAttributes/details/data",
    "markerRecordedEventAttributes/details/patch-data",
)


def _payloads(node: object, found: list[dict], path: str = "") -> None:
    """Every payload (a {"metadata", "data"} object) in a history's JSON,
    except the ones Temporal keeps unencrypted by design."""
    if isinstance(node, dict):
        if "metadata" in node and "data" in node and not any(part in path for part in UNENCRYPTED):
            found.append(node)
        for key, value in node.items():
            _payloads(value, found, f"{path}/{key}")
    elif isinstance(node, list):
        for value in node:
            _payloads(value, found, path)


async def test_a_raw_history_holds_no_plaintext_personal_data(dev_env, engines, bol, task_queue):
    address = dev_env.client.service_client.config.target_host
    encrypted = await Client.connect(address, data_converter=data_converter(CodecKeys.generate()))
    engine = engines.build(task_queue)
    async with engine.worker(encrypted):
        order, handle = await place_and_start(encrypted, bol, task_queue, [{**MUG, "quantity": 1}])
        await wait_for(handle, OrderStatus.AWAITING_PICK)
        await handle.execute_update(OrderWorkflow.pick, PickRequest(track_and_trace="3SBOL0000456"))
        shipped = await wait_for(handle, OrderStatus.SHIPPED)
    assert shipped.lines[0].quantity_shipped == 1  # the codec round-trips for those who hold the key

    raw = await dev_env.client.get_workflow_handle(handle.id).fetch_history()  # no codec: what the server stores
    payloads: list[dict] = []
    _payloads(raw.to_json_dict(), payloads)
    assert len(payloads) > 10
    assert {base64.b64decode(p["metadata"]["encoding"]) for p in payloads} == {ENCODING}

    stored = raw.to_json()
    buyer = order["shipmentDetails"]
    for personal in (buyer["surname"], buyer["streetName"], buyer["email"], buyer["city"], buyer["zipCode"]):
        assert personal not in stored
    assert "3SBOL0000456" not in stored  # even order data is sealed
