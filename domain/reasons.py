"""Reason and result codes, in the seller's words. Each marketplace adapter maps
them to its own wire values."""

from enum import StrEnum


class CancellationReason(StrEnum):
    OUT_OF_STOCK = "OUT_OF_STOCK"
    REQUESTED_BY_CUSTOMER = "REQUESTED_BY_CUSTOMER"
    BAD_CONDITION = "BAD_CONDITION"
    HIGHER_SHIPCOST = "HIGHER_SHIPCOST"
    INCORRECT_PRICE = "INCORRECT_PRICE"
    NOT_AVAIL_IN_TIME = "NOT_AVAIL_IN_TIME"
    NO_BOL_GUARANTEE = "NO_BOL_GUARANTEE"
    ORDERED_TWICE = "ORDERED_TWICE"
    RETAIN_ITEM = "RETAIN_ITEM"
    TECH_ISSUE = "TECH_ISSUE"
    UNFINDABLE_ITEM = "UNFINDABLE_ITEM"
    OTHER = "OTHER"

    @property
    def is_seller_fault(self) -> bool:
        """Marketplaces count every cancellation the buyer did not ask for
        against the seller."""
        return self is not CancellationReason.REQUESTED_BY_CUSTOMER


class ReturnHandling(StrEnum):
    RETURN_RECEIVED = "RETURN_RECEIVED"
    RETURN_DOES_NOT_MEET_CONDITIONS = "RETURN_DOES_NOT_MEET_CONDITIONS"
    EXCHANGE_PRODUCT = "EXCHANGE_PRODUCT"
    REPAIR_PRODUCT = "REPAIR_PRODUCT"
    CUSTOMER_KEEPS_PRODUCT_PAID = "CUSTOMER_KEEPS_PRODUCT_PAID"
    # Ask the buyer about the return first (Kaufland: the unit goes "in
    # clarification" and a ticket opens); the return stays open.
    CLARIFY = "CLARIFY"

    @property
    def refunds_buyer(self) -> bool:
        return self in (ReturnHandling.RETURN_RECEIVED, ReturnHandling.CUSTOMER_KEEPS_PRODUCT_PAID)

    @property
    def is_final(self) -> bool:
        """Whether the return is done with once the marketplace took it."""
        return self is not ReturnHandling.CLARIFY

    @property
    def tells_buyer(self) -> bool:
        """Kaufland sends the buyer a message with these (and requires one)."""
        return self in (ReturnHandling.RETURN_DOES_NOT_MEET_CONDITIONS, ReturnHandling.CLARIFY)


class WaitingReason(StrEnum):
    """Why orders wait that one command can clear for all of them
    (`ordertide orders resume --reason ...`)."""

    UNKNOWN_EAN = "unknown-ean"
    # The warehouse did not acknowledge the order's push (it was down) and is back.
    WAREHOUSE = "warehouse"
