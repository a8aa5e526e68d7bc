"""Orders by file drop (SFTP) and by mail (SMTP in, IMAP out), from the
portal sandbox to shipped, through the real dev server and real servers on
loopback. A duplicate delivery is one workflow; a malformed file or mail
waits where ops see it, named, and the orders after it still come in."""

import contextlib
import posixpath

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from domain import names
from domain.ids import intake_workflow_id, order_workflow_id
from domain.intake import IntakeState
from domain.order.messages import PickRequest
from starter import orders_api
from tests.supplier.conftest import Portal, channel_name, engine_for, file_channel, intakes, mail_channel, mug
from tests.support import eventually

MAILS_ASIDE = "Order mails not understood"


async def status(client: Client, workflow_id: str) -> tuple[str, bool, str]:
    """(OrderStatus, NeedsAttention, current details); empty while not started."""
    try:
        description = await client.get_workflow_handle(workflow_id).describe()
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise
        return "", False, ""
    attributes = description.typed_search_attributes
    return (
        attributes.get(names.ORDER_STATUS) or "",
        bool(attributes.get(names.NEEDS_ATTENTION)),
        await current_details(client, workflow_id),
    )


async def current_details(client: Client, workflow_id: str) -> str:
    metadata = await client.get_workflow_handle(workflow_id).query("__temporal_workflow_metadata")
    return str(getattr(metadata, "current_details", ""))


async def pick_and_wait_shipped(client: Client, workflow_ids: list[str]) -> None:
    async def all_shipped() -> bool:
        done = True
        for workflow_id in workflow_ids:
            state, _, _ = await status(client, workflow_id)
            if state == "AWAITING_PICK":
                pick = PickRequest(track_and_trace="3SSIM000000001", weight_grams=500)
                with contextlib.suppress(Exception):
                    await orders_api.update_order(client, workflow_id, names.UPDATE_PICK, pick)
            done = done and state == "SHIPPED"
        return done

    await eventually(all_shipped, timeout=25, interval=0.2)


async def intake_state(client: Client, channel: str) -> IntakeState:
    return await client.get_workflow_handle(intake_workflow_id(channel)).query("state", result_type=IntakeState)


async def test_orders_by_file_and_mail_ship_once_and_bad_ones_wait_named_for_ops(dev_env, portal: Portal, tmp_path):
    client = dev_env.client
    sftp, mail = channel_name("sftp"), channel_name("email")
    async with (
        engine_for(tmp_path, {sftp: file_channel(portal), mail: mail_channel(portal)}) as engine,
        engine.worker(client),
        intakes(client, engine),
    ):
        good = await portal.place([mug(2)], deliver=["file", "mail"])
        await portal.post("/_sandbox/drops", {"order_number": good})  # the same file and the same mail again
        missing_column, bad_quantity, no_number = [await portal.place([mug()], deliver=[]) for _ in range(3)]
        await portal.post(
            "/_sandbox/drops", {"order_number": missing_column, "deliver": ["file"], "malformed": "missing_column"}
        )
        await portal.post(
            "/_sandbox/drops", {"order_number": bad_quantity, "deliver": ["file"], "malformed": "bad_quantity"}
        )
        await portal.post(
            "/_sandbox/drops", {"order_number": no_number, "deliver": ["mail"], "malformed": "no_order_number"}
        )
        unknown_sku = await portal.place([mug(sku="MUG-GOLD")], deliver=["file", "mail"])
        after = await portal.place([mug()], deliver=["file", "mail"])

        shipped = [order_workflow_id(channel, number) for channel in (sftp, mail) for number in (good, after)]
        await pick_and_wait_shipped(client, shipped)

        # One workflow per order and channel, whatever arrived twice; nothing for the unreadable ones.
        for channel in (sftp, mail):
            query = f"{names.CHANNEL.name} = '{channel}'"
            started = {wf.id async for wf in client.list_workflows(f"WorkflowType = 'OrderWorkflow' AND {query}")}
            assert started == {order_workflow_id(channel, n) for n in (good, after, unknown_sku)}
        reservations = engine.inventory.reservations(sftp)
        assert sorted((r.marketplace_order_id, r.quantity) for r in reservations) == sorted([(good, 2), (after, 1)])
        # The portal heard of each shipment through its API.
        record = await portal.get(f"/_sandbox/orders/{good}")
        assert record["status"] == "shipped"
        # (Both channels ship the same shipment of the same portal order: one update.)
        assert [(u["status"], u["tracking"]) for u in record["history"]] == [("shipped", "3SSIM000000001")]

        # The unknown SKU stops its order, named, where ops look at orders.
        for channel in (sftp, mail):
            workflow_id = order_workflow_id(channel, unknown_sku)

            async def needs_attention(workflow_id: str = workflow_id) -> tuple[str, bool, str] | None:
                found = await status(client, workflow_id)
                return found if found[1] else None

            _, _, details = await eventually(needs_attention, timeout=10)
            assert "MUG-GOLD" in details

        # The malformed file and mail wait aside, named on the channel's intake.
        async def reported(channel: str, count: int) -> IntakeState | None:
            state = await intake_state(client, channel)
            return state if len(state.unreadable) == count else None

        files = await eventually(lambda: reported(sftp, 2), timeout=10)
        described = sorted(item.describe() for item in files.unreadable)
        assert described == sorted(
            [
                f"file {_file_of(portal, missing_column)}: line 1: column 'Quantity' is missing from the header",
                f"file {_file_of(portal, bad_quantity)}: line 2, field 'Quantity': 'two' is not a whole number of at least 1",
            ]
        )
        mails = await eventually(lambda: reported(mail, 1), timeout=10)
        assert [item.describe() for item in mails.unreadable] == [
            "mail 'New order from Sandbox Retail Ltd': missing order number"
        ]
        for channel in (sftp, mail):
            handle = client.get_workflow_handle(intake_workflow_id(channel))
            assert (await handle.describe()).typed_search_attributes.get(names.NEEDS_ATTENTION) is True
        drop = portal.sftp_root / "orders"
        assert sorted(p.name for p in drop.iterdir() if p.is_file()) == []  # every file was taken
        assert len(list((drop / "processed").iterdir())) == 3  # good (twice, the same content), unknown SKU, after

        # Ops deal with the rejected files (here: delete them): the intake no longer needs attention.
        for rejected in (drop / "rejected").iterdir():
            rejected.unlink()
        handle = client.get_workflow_handle(intake_workflow_id(sftp))

        async def cleared() -> bool:
            return (await handle.describe()).typed_search_attributes.get(names.NEEDS_ATTENTION) is False

        await eventually(cleared, timeout=10)
        assert (await intake_state(client, sftp)).unreadable == []


def _file_of(portal: Portal, order_number: str) -> str:
    rejected = portal.sftp_root / "orders" / "rejected"
    [name] = [p.name for p in rejected.iterdir() if order_number in p.name and p.name.endswith(".csv")]
    return posixpath.basename(name)
