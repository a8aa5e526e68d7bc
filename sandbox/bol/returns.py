"""Returns: registered by buyers for what they received, handled by the
seller through HANDLE_RETURN_ITEM processes."""

from datetime import datetime
from typing import Any

from sandbox.bol.bodies import NewReturn
from sandbox.bol.ids import next_id
from sandbox.bol.orders import OrderBook
from sandbox.bol.paging import page_of
from sandbox.bol.params import ReturnRequest, ReturnsQuery
from sandbox.bol.problems import ProblemError, not_found
from sandbox.bol.wire import CustomerDetails, ReducedReturn, Return, ReturnItem, ReturnProcessingResult, ReturnReason


class ReturnBook:
    def __init__(self) -> None:
        self._returns: list[Return] = []
        # rmaId -> orderItemId: bol's return items do not name the order item.
        self._order_items: dict[str, str] = {}

    def register(self, new: NewReturn, orders: OrderBook, now: datetime) -> Return:
        located = orders.locate(new.order_item_id)
        if located is None:
            raise not_found(f"Order item {new.order_item_id}")
        order, item = located
        already = sum(
            ret_item.expectedQuantity
            for ret in self._returns
            for ret_item in ret.returnItems
            if self._order_items[ret_item.rmaId] == new.order_item_id
        )
        returnable = item.quantityShipped - already
        if new.quantity > returnable:
            raise ProblemError(
                409,
                "Conflict",
                f"Order item {new.order_item_id}: {item.quantityShipped} shipped, {already} already returned; "
                f"cannot return {new.quantity}.",
            )
        rma_id = next_id("rma")
        ret = Return(
            returnId=next_id("return"),
            registrationDateTime=now,
            fulfilmentMethod=item.fulfilment.method,
            returnItems=[
                ReturnItem(
                    rmaId=rma_id,
                    orderId=order.orderId,
                    ean=item.product.ean,
                    title=item.product.title,
                    expectedQuantity=new.quantity,
                    returnReason=ReturnReason(
                        mainReason=new.main_reason,
                        detailedReason=new.detailed_reason,
                        customerComments=new.customer_comments,
                    ),
                    customerDetails=CustomerDetails.model_validate(order.shipmentDetails.model_dump()),
                )
            ],
        )
        self._returns.append(ret)
        self._order_items[rma_id] = new.order_item_id
        return ret

    def page(self, query: ReturnsQuery, page_size: int) -> list[ReducedReturn]:
        found = [r for r in self._returns if r.fulfilmentMethod == query.fulfilment_method]
        if query.handled is not None:
            found = [r for r in found if any(i.handled == query.handled for i in r.returnItems)]
        if query.handled:
            # bol: handled returns newest first, unhandled oldest first.
            found = found[::-1]
        return [r.reduced() for r in page_of(found, query.page, page_size)]

    def get(self, return_id: str) -> Return | None:
        return next((r for r in self._returns if r.returnId == return_id), None)

    def handle(self, rma_id: str, request: ReturnRequest, at: datetime) -> str | None:
        item = self._item(rma_id)
        if item is None:
            return f"Return item with rma id {rma_id} does not exist."
        if request.quantityReturned > item.expectedQuantity:
            return (
                f"Return item {rma_id}: {request.quantityReturned} returned, but only {item.expectedQuantity} expected."
            )
        rejected = request.handlingResult == "RETURN_DOES_NOT_MEET_CONDITIONS"
        item.handled = True
        # Handling again changes the outcome rather than adding to it.
        item.processingResults = [
            ReturnProcessingResult(
                quantity=request.quantityReturned,
                processingResult="REJECTED" if rejected else "ACCEPTED",
                handlingResult=request.handlingResult,
                processingDateTime=at,
            )
        ]
        return None

    def records(self) -> list[dict[str, Any]]:
        return [
            {
                "returnId": ret.returnId,
                "rmaId": item.rmaId,
                "orderId": item.orderId,
                "orderItemId": self._order_items[item.rmaId],
                "ean": item.ean,
                "quantity": item.expectedQuantity,
                "mainReason": item.returnReason.mainReason,
                "handled": item.handled,
                "handlingResult": item.processingResults[0].handlingResult if item.processingResults else None,
                "processingResult": item.processingResults[0].processingResult if item.processingResults else None,
                "quantityReturned": item.processingResults[0].quantity if item.processingResults else None,
            }
            for ret in self._returns
            for item in ret.returnItems
        ]

    def _item(self, rma_id: str) -> ReturnItem | None:
        return next((i for r in self._returns for i in r.returnItems if i.rmaId == rma_id), None)
