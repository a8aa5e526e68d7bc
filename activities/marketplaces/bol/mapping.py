"""bol wire shapes ↔ domain types. Nothing outside this adapter sees bol JSON."""

from activities.marketplaces.bol import wire
from domain.channels import Marketplace
from domain.intake import OrderChange
from domain.order.marketplace import Address, Order, OrderLine, ReturnNotice


def order_from_wire(channel: str, order: wire.Order) -> Order:
    details = order.shipmentDetails
    return Order(
        channel=channel,
        marketplace=Marketplace.BOL,
        marketplace_order_id=order.orderId,
        placed_at=order.orderPlacedDateTime,
        pickup_point=order.pickupPoint,
        shipping_address=Address(
            first_name=details.firstName,
            surname=details.surname,
            company=details.company,
            street_name=details.streetName,
            house_number=details.houseNumber,
            house_number_extension=details.houseNumberExtension,
            extra_address_information=details.extraAddressInformation,
            zip_code=details.zipCode,
            city=details.city,
            country_code=details.countryCode,
            email=details.email,
            phone=details.deliveryPhoneNumber,
            pickup_point_name=details.pickupPointName,
        ),
        lines=[
            OrderLine(
                line_id=item.orderItemId,
                marketplace_unit_ids=[item.orderItemId],
                ean=item.product.ean,
                sku=item.offer.reference or None,
                title=item.product.title,
                quantity=item.quantity,
                unit_price=item.unitPrice,
                quantity_shipped=item.quantityShipped,
                quantity_cancelled=item.quantityCancelled,
                cancellation_requested=item.cancellationRequest,
                latest_delivery_date=item.fulfilment.exactDeliveryDate or item.fulfilment.latestDeliveryDate,
            )
            for item in order.orderItems
        ],
    )


def change_from_wire(order: wire.ReducedOrder) -> OrderChange:
    def open_quantity(item: wire.ReducedOrderItem) -> int:
        return item.quantity - item.quantityShipped - item.quantityCancelled

    return OrderChange(
        marketplace_order_id=order.orderId,
        placed_at=order.orderPlacedDateTime,
        open=any(open_quantity(item) > 0 for item in order.orderItems),
        cancellation_requested_line_ids=[
            item.orderItemId for item in order.orderItems if item.cancellationRequest and open_quantity(item) > 0
        ],
    )


def returns_from_wire(ret: wire.Return) -> list[ReturnNotice]:
    return [
        ReturnNotice(
            marketplace_order_id=item.orderId,
            rma_id=item.rmaId,
            return_id=ret.returnId,
            ean=item.ean,
            quantity=item.expectedQuantity,
            reason=" / ".join(
                part for part in (item.returnReason.mainReason, item.returnReason.detailedReason) if part
            ),
            registered_at=ret.registrationDateTime,
        )
        for item in ret.returnItems
        if not item.handled
    ]
