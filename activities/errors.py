"""Adapter errors → Temporal ApplicationErrors, in one place.

Business errors are non-retryable with type BUSINESS_ERROR_TYPE: the
workflow turns them into NeedsAttention. Everything retryable keeps
retrying; a 429 retries after the server's delay, or a jittered backoff
when it gave none."""

from collections.abc import Iterator
from contextlib import contextmanager

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.retry import backoff_delay
from domain.errors import (
    BUSINESS_ERROR_TYPE,
    RETRYABLE_ERROR_TYPE,
    BusinessError,
    RateLimited,
    RetryableMarketplaceError,
)


@contextmanager
def marketplace_errors() -> Iterator[None]:
    try:
        yield
    except BusinessError as exc:
        raise ApplicationError(
            exc.readable(),
            [v.model_dump() for v in exc.violations],
            type=BUSINESS_ERROR_TYPE,
            non_retryable=True,
        ) from exc
    except RateLimited as exc:
        delay = exc.retry_after or backoff_delay(activity.info().attempt)
        raise ApplicationError(str(exc), type=RETRYABLE_ERROR_TYPE, next_retry_delay=delay) from exc
    except RetryableMarketplaceError as exc:
        raise ApplicationError(str(exc), type=RETRYABLE_ERROR_TYPE, next_retry_delay=exc.retry_after) from exc
