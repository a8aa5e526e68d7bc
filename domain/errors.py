"""The error taxonomy shared by adapters, activities and workflows.

Retryable: transport errors, 5xx, 429 (with the server's delay), a process
status still pending. Business: 4xx with the marketplace's violations, a
process status FAILURE or TIMEOUT. A business error never fails an order: the
order shows NeedsAttention with the message and waits to be resumed.
Unexpected: anything else, retried for about a minute, then handled like a
business error (activities/errors.py, `unexpected_errors`)."""

from datetime import timedelta

from pydantic import BaseModel


class Violation(BaseModel):
    name: str
    reason: str

    def __str__(self) -> str:
        return f"{self.name}: {self.reason}"


class MarketplaceError(Exception):
    """Base of every error an adapter raises on purpose."""


class RetryableMarketplaceError(MarketplaceError):
    def __init__(self, message: str, retry_after: timedelta | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class RateLimited(RetryableMarketplaceError):
    pass


class MarketplaceUnavailable(RetryableMarketplaceError):
    pass


class ProcessStillPending(RetryableMarketplaceError):
    pass


class OrderNotVisible(MarketplaceUnavailable):
    """The marketplace does not show the order (yet). A push can outrun the
    marketplace's own API, so accepting retries it for a while before the
    order needs attention (activities/orders.py, NOT_VISIBLE_ATTEMPTS)."""


class BusinessError(MarketplaceError):
    """The marketplace said no. Retrying the same request will not help."""

    def __init__(self, message: str, violations: list[Violation] | None = None, status: int | None = None):
        super().__init__(message)
        self.violations = violations or []
        self.status = status

    def readable(self) -> str:
        if not self.violations:
            return str(self)
        return f"{self} ({'; '.join(str(v) for v in self.violations)})"


class CommandFailed(BusinessError):
    """An asynchronous command ended in FAILURE or TIMEOUT."""


# ApplicationError.type values: the match key for retry policies and for the
# workflow's decision between "retry" and "needs attention".
BUSINESS_ERROR_TYPE = "MarketplaceRejected"
RETRYABLE_ERROR_TYPE = "MarketplaceRetryable"
# Neither: a malformed response, the store down, a bug. Retried a few times,
# then non-retryable: the order needs attention like after a business error.
UNEXPECTED_ERROR_TYPE = "Unexpected"
