"""Every request the bol adapter sends, and every response it reads, checked
against bol's official OpenAPI documents."""

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from activities.marketplaces.base import CommandContext
from activities.marketplaces.bol.adapter import BolAdapter
from domain.offers.model import DesiredOffer, OfferChange, OfferChangeKind
from domain.order.view import LineQuantity, Transport
from domain.reasons import CancellationReason, ReturnHandling
from tests.contract.openapi import ContractValidator
from tests.support import bol_channel
from tests.workflows.helpers import LAMP, MUG


async def test_the_order_lifecycle_calls_follow_the_spec(bol):
    validator = ContractValidator()
    adapter = BolAdapter(
        "bol", bol_channel(bol.url), transport=validator.transport(bol.transport), process_poll_interval=0.01
    )
    try:
        order = await bol.place_order([{**MUG, "quantity": 2}, {**LAMP, "quantity": 1}])
        mug, lamp = (i["orderItemId"] for i in order["orderItems"])
        now = datetime.now(UTC)
        await adapter.changed_orders(None, now)
        await adapter.changed_orders(now - timedelta(minutes=2), now)
        await adapter.get_order(order["orderId"])

        await adapter.cancel_line(
            order["orderId"], lamp, CancellationReason.OUT_OF_STOCK, CommandContext(check_pending=True)
        )
        shipped = await adapter.ship(
            order["orderId"],
            [LineQuantity(line_id=mug, quantity=2)],
            {},
            Transport(transporter_code="TNT", track_and_trace="3SBOL1"),
            order["orderId"],
            CommandContext(check_pending=True),
        )
        assert shipped.shipped

        bol.state.register_return(orderItemId=mug, quantity=1, mainReason="Anders")
        [notice] = await adapter.open_returns()
        await adapter.handle_return(
            notice.rma_id, notice.return_id, ReturnHandling.RETURN_RECEIVED, 1, CommandContext(check_pending=True)
        )

        # Several commands pending at once are looked up in bulk: three
        # retried activities each resume the cancellation an earlier attempt
        # sent. Each registers its process before the poller's first look, so
        # however slowly a loaded machine runs, they are looked up together.
        bol.state.update_config(process_delay_seconds=0.2)
        others = [await bol.place_order([{**MUG, "quantity": 1}]) for _ in range(3)]
        sent = [
            (
                await adapter.http.call(
                    "PUT",
                    "/retailer/orders/cancellation",
                    json={"orderItems": [{"orderItemId": line, "reasonCode": "REQUESTED_BY_CUSTOMER"}]},
                    ok=(202,),
                )
            ).json()["processStatusId"]
            for line in (o["orderItems"][0]["orderItemId"] for o in others)
        ]
        await asyncio.gather(
            *(
                adapter.cancel_line(
                    o["orderId"],
                    o["orderItems"][0]["orderItemId"],
                    CancellationReason.REQUESTED_BY_CUSTOMER,
                    CommandContext(resume_process_id=process_id),
                )
                for o, process_id in zip(others, sent, strict=True)
            )
        )
    finally:
        await adapter.aclose()

    validator.assert_clean()
    operations = {entry.rsplit(" -> ", 1)[0].split(" ", 1)[0] + " " + _template(entry) for entry in validator.checked}
    assert {
        "GET /retailer/orders",
        "GET /retailer/orders/{id}",
        "PUT /retailer/orders/cancellation",
        "POST /retailer/shipments",
        "GET /retailer/returns",
        "GET /retailer/returns/{id}",
        "PUT /retailer/returns/{id}",
        "GET /shared/process-status",
        "POST /shared/process-status",
    } <= operations


def _template(entry: str) -> str:
    path = entry.split(" ", 1)[1].rsplit(" -> ", 1)[0]
    return "/".join("{id}" if any(c.isdigit() for c in part) else part for part in path.split("/"))


async def test_the_offer_calls_follow_the_spec(bol):
    validator = ContractValidator()
    adapter = BolAdapter(
        "bol", bol_channel(bol.url), transport=validator.transport(bol.transport), process_poll_interval=0.01
    )
    mug = DesiredOffer(
        sku="MUG",
        ean="8710103917885",
        price=Decimal("12.95"),
        stock=7,
        delivery_code="24uurs-16",
        reference="MUG",
        title="Mug",
    )
    try:
        seen: list = []

        async def keep(outcome) -> None:
            seen.append(outcome)

        [created] = await adapter.push_offers(
            [OfferChange(sku="MUG", kinds=[OfferChangeKind.CREATE], desired=mug)], keep
        )
        assert created.accepted and created.offer_id
        changed = mug.model_copy(
            update={"stock": 3, "price": Decimal("11.95"), "on_hold": True, "delivery_code": "1-2d"}
        )
        [updated] = await adapter.push_offers(
            [
                OfferChange(
                    sku="MUG",
                    offer_id=created.offer_id,
                    kinds=[OfferChangeKind.STOCK, OfferChangeKind.PRICE, OfferChangeKind.DETAILS],
                    desired=changed,
                )
            ],
            keep,
        )
        # bol takes the three updates at once; how they ended is looked up in bulk.
        assert seen == [created, updated] and len(updated.pending_processes) == 3
        ends = await adapter.offer_update_ends(updated.pending_processes)
        assert all(end.succeeded for end in ends.values()), ends
        live = await adapter.live_offer(created.offer_id)
        assert (live.stock, live.price, live.on_hold, live.delivery_code) == (3, Decimal("11.95"), True, "1-2d")
        [exported] = (await adapter.export_offers()).offers
        assert (exported.offer_id, exported.stock) == (created.offer_id, 3)
    finally:
        await adapter.aclose()
    validator.assert_clean()
    operations = {_template(entry).replace("/{id}/{id}", "/{id}") for entry in validator.checked}
    assert {
        "/retailer/offers",
        "/retailer/offers/{id}",
        "/retailer/offers/{id}/stock",
        "/retailer/offers/{id}/price",
        "/retailer/offers/export",
        "/retailer/offers/export/{id}",
    } <= {op.split(" ", 1)[-1] for op in operations}
